/**
 * The documentation holds together: every relative link of the README and the docs/ pages reaches
 * a file and, with an anchor, a heading there; the README's inputs and outputs tables list exactly
 * what action.yml declares.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { ROOT } from '../scripts/validate-workflows.js'
import { anchorsOf, DOCUMENTATION, readDoc, relativeLinks } from './fixtures/documentation.js'

describe('links', () => {
  it.each(DOCUMENTATION)('every relative link of %s reaches its file and heading', (file) => {
    const broken: string[] = []
    for (const { link, target, anchor } of relativeLinks(file)) {
      if (!existsSync(path.join(ROOT, target))) broken.push(`${link}: no file ${target}`)
      else if (anchor && target.endsWith('.md') && !anchorsOf(readDoc(target)).has(anchor)) broken.push(`${link}: no heading #${anchor} in ${target}`)
    }
    expect(broken).toEqual([])
  })

  it('the README links to every page of docs/', () => {
    const linked = new Set(relativeLinks('README.md').map((l) => l.target))
    const pages = DOCUMENTATION.filter((file) => file.startsWith('docs/') && file !== 'docs/summary-example.md')
    expect(pages.filter((page) => !linked.has(page))).toEqual([])
  })

  it('finds a broken link and a missing heading', () => {
    expect(anchorsOf('# A title\n## `lead`: early\n```\n# not a heading\n```\n## A title')).toEqual(new Set(['a-title', 'lead-early', 'a-title-1']))
  })
})

describe('the README first screen and reference', () => {
  const readme = readDoc('README.md')
  const action = parse(readDoc('action.yml'))
  const tableNames = (heading: string) => {
    const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
    return [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1])
  }

  it('lists every input of action.yml, and no other, in its inputs table', () => {
    expect(tableNames('Inputs').sort()).toEqual(Object.keys(action.inputs).sort())
  })

  it('lists every output of action.yml, and no other, in its outputs table', () => {
    expect(tableNames('Outputs').sort()).toEqual(Object.keys(action.outputs).sort())
  })

  it('keeps the reference out: the schedule language, troubleshooting and migration live in docs/', () => {
    for (const heading of ['## The schedule', '## Troubleshooting', '## Migrating', '## Decisions', '## Holds', '## Recipes']) {
      expect(readme).not.toContain(`\n${heading}`)
    }
    for (const page of ['docs/schedule.md', 'docs/troubleshooting.md', 'docs/migrating.md']) expect(existsSync(path.join(ROOT, page))).toBe(true)
  })
})
