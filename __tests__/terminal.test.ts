/**
 * The demo's terminal rendering of a job summary shows text as GitHub shows it: what the summary
 * escaped (runner/terminal.ts undoes src/github/escape.ts's markdownText), code spans literal.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { markdownToTerminal } from '../runner/terminal.js'
import { markdownText } from '../src/github/escape.js'

const plain = (markdown: string) => markdownToTerminal(markdown, { color: false })

/** Text as the summary quotes it: no control characters (markdownText turns them into spaces), no zero-width spaces. */
const quotable = fc
  .string({ unit: fc.oneof(fc.constantFrom(...'\\|[]`*_~&<>#!.-:/ (){}'.split('')), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 40 })
  .map((text) => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b]/gu, ' ').replace(/[\u{F0000}-\u{FFFFF}]/gu, 'x'))

describe('markdownToTerminal: text as GitHub shows it', () => {
  it.each([
    ['Started by pull\\_request', 'Started by pull_request'],
    ['a rule named \\*\\*not bold\\*\\*, \\[not\\](a link) and \\`not code\\`', 'a rule named **not bold**, [not](a link) and `not code`'],
    ['a path C:\\\\temp and 5 \\~ 6', 'a path C:\\temp and 5 ~ 6'],
    ['&lt;b&gt;not bold&lt;/b&gt; &amp;lt; &quot;quoted&quot; &#39;single&#39;', '<b>not bold</b> &lt; "quoted" \'single\''],
    ['see https:\u200b//example.com and www\u200b.example.com', 'see https://example.com and www.example.com'],
    ['`a\\_b` and ``a `tick` inside`` stay as they are', 'a\\_b and a `tick` inside stay as they are'],
    ['**bold** and [a link](https://example.com)', 'bold and a link']
  ])('%s', (markdown, shown) => {
    expect(plain(markdown)).toBe(shown)
  })

  it('in a table cell too, with escaped pipes', () => {
    // Inside a table, GitHub unescapes a pipe in a code span too.
    const terminal = plain(`| rule | reason |\n|:---|---:|\n| ${markdownText('a|b_c')} | \`x\\|y\` and pull\\_request |`)
    expect(terminal.split('\n')[1]).toBe('  a|b_c  x|y and pull_request')
  })

  it('whatever the text, what markdownText escapes is shown as it was', () => {
    fc.assert(
      fc.property(quotable, (text) => {
        expect(plain(`x ${markdownText(text)} y`)).toBe(`x ${text} y`)
      })
    )
  })

  it('whatever the text, in a table cell', () => {
    fc.assert(
      fc.property(quotable, (text) => {
        const row = plain(`| a | b |\n|---|---|\n| ${markdownText(text)} | y |`).split('\n')[1]
        expect(row.startsWith(`  ${text.trim()}`)).toBe(true)
        expect(row.endsWith('  y')).toBe(true)
      })
    )
  })
})
