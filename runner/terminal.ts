/**
 * Renders a job summary (GitHub-flavoured Markdown) readably in a terminal: aligned tables, no link
 * URLs, code blocks as they are, and text as GitHub shows it: backslash escapes and HTML entities
 * resolved, code spans literal.
 */
export function markdownToTerminal(
  markdown: string,
  { color = process.stdout.isTTY ?? false, maxTableRows = Infinity }: { color?: boolean; maxTableRows?: number } = {}
): string {
  const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[22m` : text)
  const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[22m` : text)
  const inline = (text: string, { tableCell = false } = {}) => {
    // Code spans and escaped characters are literal: set aside, so that no markup rule below reads them.
    const literal: string[] = []
    const setAside = (value: string) => `\u{F0000}${literal.push(value) - 1}\u{F0001}`
    const prose = literalParts(text)
      .map((part) => (part.kind === 'code' ? setAside(tableCell ? part.text.replace(/\\\|/g, '|') : part.text) : part.kind === 'escaped' ? setAside(part.text) : part.text))
      .join('')
    return (
      prose
        .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
        .replace(/<br>/g, ' ')
        .replace(/<\/?summary>/g, '')
        .replace(/<b>([^<]+)<\/b>/g, (_, inner: string) => bold(inner))
        .replace(/\*\*([^*]+)\*\*/g, (_, inner: string) => bold(inner))
        .replace(/&nbsp;/g, ' ')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
        .replace(/&amp;/g, '&')
        // The zero-width space that keeps GitHub from linking a URL is no use in a terminal.
        .replace(/\u200b/g, '')
        .replace(/\u{F0000}(\d+)\u{F0001}/gu, (_, index: string) => literal[Number(index)])
    )
  }
  const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').length

  const out: string[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const fence = /^(`{3,}|~{3,})/.exec(line)?.[1]
    if (fence) {
      // A fenced block (the week at a glance) is drawn to be read in a fixed-width font: print it verbatim,
      // up to the line that closes it (the same fence character, at least as many times, nothing else).
      const closes = (text: string) => text.startsWith(fence) && [...text.trimEnd()].every((c) => c === fence[0])
      for (i++; i < lines.length && !closes(lines[i]); i++) out.push(lines[i])
    } else if (line.startsWith('|')) {
      const rows: string[][] = []
      for (; i < lines.length && lines[i].startsWith('|'); i++) {
        // The delimiter row: only dashes, colons and pipes (a cell that starts with "-" is data).
        if (/^\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[i])) continue
        rows.push(lines[i].slice(1, -1).split(/(?<!\\)\|/).map((cell) => inline(cell.trim(), { tableCell: true })))
      }
      i--
      const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => visible(row[c] ?? ''))))
      rows.slice(0, maxTableRows + 1).forEach((row, r) => {
        const cells = row.map((cell, c) => cell + ' '.repeat(widths[c] - visible(cell)))
        out.push('  ' + (r === 0 ? bold(cells.join('  ')) : cells.join('  ')).trimEnd())
      })
      if (rows.length > maxTableRows + 1) out.push(dim(`  … ${rows.length - 1 - maxTableRows} more`))
    } else if (line.startsWith('## ')) {
      out.push(bold(line.slice(3).toUpperCase()))
    } else if (line.startsWith('### ')) {
      out.push(bold(line.slice(4)))
    } else if (line.startsWith('> [!') || line === '<details>' || line === '</details>') {
      continue
    } else if (line.startsWith('> ')) {
      out.push(dim('│ ') + inline(line.slice(2)))
    } else {
      out.push(inline(line))
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n')
}

/**
 * Inline Markdown cut into code spans (their text, literal), backslash-escaped ASCII punctuation
 * (the character itself) and the rest, as CommonMark reads them: an escaped backtick opens no code
 * span, and a backslash inside a code span is a backslash.
 */
function literalParts(text: string): { kind: 'text' | 'code' | 'escaped'; text: string }[] {
  const parts: { kind: 'text' | 'code' | 'escaped'; text: string }[] = []
  let plain = ''
  const flush = () => {
    if (plain) parts.push({ kind: 'text', text: plain })
    plain = ''
  }
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && /[!-/:-@[-`{-~]/.test(text[i + 1] ?? '')) {
      flush()
      parts.push({ kind: 'escaped', text: text[++i] })
      continue
    }
    if (text[i] === '`') {
      const run = /^`+/.exec(text.slice(i))![0]
      // A code span closes at the next run of exactly as many backticks.
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g')
      close.lastIndex = i + run.length
      const end = close.exec(text)
      if (end) {
        flush()
        const content = text.slice(i + run.length, end.index)
        // One space on each side is stripped when both are there and the content is not all spaces.
        parts.push({ kind: 'code', text: /^ .*[^ ].* $/.test(content) ? content.slice(1, -1) : content })
        i = end.index + run.length - 1
        continue
      }
      plain += run
      i += run.length - 1
      continue
    }
    plain += text[i]
  }
  flush()
  return parts
}
