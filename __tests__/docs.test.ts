/**
 * The documentation holds together: every relative link of the README and the docs/ pages reaches
 * a file and, with an anchor, a heading there; the README's inputs and outputs tables list exactly
 * what action.yml declares; every trust policy lets in a repository created today (immutable
 * subject claims) as well as an older one.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { ROOT } from '../scripts/validate-workflows.js'
import { anchorsOf, DOCUMENTATION, readDoc, relativeLinks } from './fixtures/documentation.js'
import { expectWith } from './fixtures/expect-with.js'

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

describe('trust policies, for repositories old and new', () => {
  /** The ```json blocks of the docs, dedented and parsed (a fragment such as `"Condition": {…}` as an object). */
  const jsonBlocks = DOCUMENTATION.flatMap((file) =>
    [...readDoc(file).matchAll(/```json\n([\s\S]*?)```/g)].map((match) => {
      const lines = match[1].split('\n')
      const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^ */.exec(line)![0].length))
      const text = lines.map((line) => line.slice(indent)).join('\n').trim()
      return { file, value: JSON.parse(text.startsWith('"') ? `{${text}}` : text) as unknown }
    })
  )
  const subValues = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.flatMap(subValues)
    if (typeof value !== 'object' || value === null) return []
    return Object.entries(value).flatMap(([key, inner]) =>
      key === 'token.actions.githubusercontent.com:sub' ? [inner].flat().map(String) : subValues(inner)
    )
  }
  const CLASSIC = 'repo:acme/flink-jobs:'
  const IMMUTABLE = 'repo:acme@1234567/flink-jobs@89012345:'

  it('every sub condition names the classic and the immutable form of the same subjects', () => {
    const conditions = jsonBlocks.map(({ file, value }) => ({ file, subs: subValues(value) })).filter((c) => c.subs.length > 0)
    expect(conditions.length).toBeGreaterThanOrEqual(3)
    for (const { file, subs } of conditions) {
      const classic = subs.filter((sub) => sub.startsWith(CLASSIC)).map((sub) => sub.slice(CLASSIC.length))
      const immutable = subs.filter((sub) => sub.startsWith(IMMUTABLE)).map((sub) => sub.slice(IMMUTABLE.length))
      expectWith(classic.length, `${file}: ${subs.join(', ')}`).toBeGreaterThan(0)
      expectWith(immutable.sort(), `${file}: ${subs.join(', ')}`).toEqual(classic.sort())
    }
  })

  it('the CloudFormation parameter and the Terraform variable take the repository in either form, and nothing else', () => {
    const iam = readDoc('docs/iam.md')
    const cloudFormation = /AllowedPattern: "([^"]+)"/.exec(iam.split('AWSTemplateFormatVersion')[1] ?? '')?.[1]
    const terraform = /regex\("([^"]+)", var\.repository\)/.exec(iam)?.[1]
    // CloudFormation matches the whole value; the Terraform pattern is anchored itself.
    for (const pattern of [new RegExp(`^${cloudFormation}$`), new RegExp(terraform ?? '$^')]) {
      for (const good of ['acme/flink-jobs', 'acme@1234567/flink-jobs@89012345', 'Acme.Corp/flink_jobs-2']) expectWith(pattern.test(good), `${pattern} ${good}`).toBe(true)
      for (const bad of ['acme', 'acme@/flink-jobs', 'acme@1234567/flink-jobs', 'acme/flink-jobs:ref:refs/heads/main', 'acme/*']) expectWith(pattern.test(bad), `${pattern} ${bad}`).toBe(false)
    }
  })
})
