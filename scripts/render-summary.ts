/**
 * npm run render-summary: the job summary of a representative run, as GitHub shows it.
 *
 * Runs the bundled action (dist/index.js) against the local emulator: two applications on a
 * Wednesday at 09:00 in Los Angeles with examples/flink-schedule.yml, one scaled up to the
 * business-hours target, one already there. Writes the summary Markdown to
 * docs/summary-example.md, renders it as GitHub-flavoured Markdown with GitHub-like styles and
 * screenshots it with headless Chromium into docs/summary-example.png.
 *
 *   npx tsx scripts/render-summary.ts [--markdown-only] [--chromium /usr/bin/chromium]
 *
 * Chromium comes from the distribution (Debian: apt-get install chromium fonts-noto-color-emoji).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { marked } from 'marked'
import { startEmulator } from '../emulator/index.js'
import { ROOT, runAction } from '../runner/run-action.js'

const { values } = parseArgs({
  options: {
    'markdown-only': { type: 'boolean', default: false },
    chromium: { type: 'string' }
  }
})

const DOCS = path.join(ROOT, 'docs')
const MARKDOWN_FILE = path.join(DOCS, 'summary-example.md')
const PNG_FILE = path.join(DOCS, 'summary-example.png')
const WIDTH = 1100

/** A small subset of GitHub's light theme: the job summary box and markdown-body tables, alerts and headings. */
const CSS = `
* { box-sizing: border-box; }
body {
  margin: 0; padding: 24px; background: #f6f8fa; color: #1f2328;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif,
    "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji";
  font-size: 14px; line-height: 1.5;
}
.box { background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
.box-header { padding: 16px; border-bottom: 1px solid #d1d9e0; font-size: 14px; font-weight: 600; }
.markdown-body { padding: 16px 24px 8px; word-wrap: break-word; }
.markdown-body > *:first-child { margin-top: 0 !important; }
.markdown-body h2 { font-size: 1.5em; font-weight: 600; line-height: 1.25; margin: 24px 0 16px; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3; }
.markdown-body h3 { font-size: 1.25em; font-weight: 600; line-height: 1.25; margin: 24px 0 16px; }
.markdown-body p, .markdown-body ul, .markdown-body table, .markdown-body blockquote { margin: 0 0 16px; }
.markdown-body ul { padding-left: 2em; }
.markdown-body a { color: #0969da; text-decoration: none; }
.markdown-body code { padding: .2em .4em; font-size: 85%; background: #818b981f; border-radius: 6px;
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; }
.markdown-body table { display: block; width: max-content; max-width: 100%; overflow: auto; border-spacing: 0; border-collapse: collapse; }
.markdown-body th { font-weight: 600; }
.markdown-body th, .markdown-body td { padding: 6px 13px; border: 1px solid #d1d9e0; }
.markdown-body tr { background: #fff; border-top: 1px solid #d1d9e0b3; }
.markdown-body tr:nth-child(2n) { background: #f6f8fa; }
.markdown-body pre { margin: 0 0 16px; padding: 16px; overflow: auto; font-size: 85%; line-height: 1.45; background: #f6f8fa; border-radius: 6px; }
.markdown-body pre code { padding: 0; background: transparent; font-size: 100%; white-space: pre; }
.markdown-body details { margin: 0 0 16px; } .markdown-body summary { cursor: pointer; }
.markdown-body blockquote { padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
.markdown-body blockquote.alert { color: inherit; padding: .5rem 1rem; }
.markdown-body .alert-title { font-weight: 500; margin-bottom: 4px; }
.alert-note { border-left-color: #0969da !important; } .alert-note .alert-title { color: #0969da; }
.alert-tip { border-left-color: #1a7f37 !important; } .alert-tip .alert-title { color: #1a7f37; }
.alert-important { border-left-color: #8250df !important; } .alert-important .alert-title { color: #8250df; }
.alert-warning { border-left-color: #9a6700 !important; } .alert-warning .alert-title { color: #9a6700; }
.alert-caution { border-left-color: #d1242f !important; } .alert-caution .alert-title { color: #d1242f; }
`

const markdown = await summaryOfRepresentativeRun()
mkdirSync(DOCS, { recursive: true })
writeFileSync(MARKDOWN_FILE, markdown)
console.log(`Wrote ${path.relative(ROOT, MARKDOWN_FILE)}`)

if (!values['markdown-only']) {
  const chromium = values.chromium ?? findChromium()
  if (!chromium) {
    console.error('No Chromium found (tried $CHROMIUM, chromium, chromium-browser, google-chrome).')
    console.error('Install it (Debian: apt-get install chromium fonts-noto-color-emoji) or pass --chromium PATH.')
    process.exit(1)
  }
  screenshot(chromium, page(markdown), PNG_FILE)
  console.log(`Wrote ${path.relative(ROOT, PNG_FILE)}`)
}

/** Two applications at 09:00 on a weekday: orders-enricher is scaled up, clickstream-sessions is already at 20 KPU. */
async function summaryOfRepresentativeRun(): Promise<string> {
  const emulator = await startEmulator({
    applications: [
      { name: 'orders-enricher', region: 'us-west-2', parallelism: 10, parallelismPerKpu: 1, allowNonRestoredState: true },
      { name: 'clickstream-sessions', region: 'us-west-2', parallelism: 40, parallelismPerKpu: 2 }
    ]
  })
  try {
    const run = await runAction(
      {
        'application-name': 'orders-enricher\nclickstream-sessions',
        region: 'us-west-2',
        'schedule-file': 'flink-schedule.yml',
        at: '2026-12-02T09:00:00-08:00'
      },
      {
        env: { ...emulator.env({ region: 'us-west-2' }) },
        files: { 'flink-schedule.yml': readFileSync(path.join(ROOT, 'examples', 'flink-schedule.yml'), 'utf8') }
      }
    )
    const actions = JSON.parse(run.outputs.results ?? '[]').map((r: { action: string }) => r.action)
    if (run.exitCode !== 0 || actions.join() !== 'updated,skipped') {
      console.error(run.stdout, run.stderr)
      throw new Error(`Expected one update and one skip, got exit code ${run.exitCode} and actions [${actions.join(', ')}]`)
    }
    return run.summary
  } finally {
    await emulator.stop()
  }
}

/** The summary inside a page that looks like the job summary on a workflow run's page. */
function page(summary: string): string {
  const body = githubAlerts(marked.parse(summary, { gfm: true, async: false }))
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Job summary</title>
<style>${CSS}</style>
</head>
<body>
<div class="box" id="box">
  <div class="box-header"><span class="job">scale</span> summary</div>
  <div class="markdown-body">${body}</div>
</div>
<script>
  // Read back by --dump-dom: the height the screenshot window needs.
  const box = document.getElementById('box')
  document.body.dataset.height = String(Math.ceil(box.getBoundingClientRect().bottom + 24))
</script>
</body>
</html>`
}

/** GitHub renders `> [!NOTE]` blockquotes as alerts; marked leaves them as blockquotes. */
function githubAlerts(html: string): string {
  return html.replace(
    /<blockquote>\s*<p>\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*/g,
    (_, kind: string) =>
      `<blockquote class="alert alert-${kind.toLowerCase()}"><p class="alert-title">${kind[0]}${kind.slice(1).toLowerCase()}</p><p>`
  )
}

function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'].filter(Boolean) as string[]
  for (const candidate of candidates) {
    if (path.isAbsolute(candidate) && existsSync(candidate)) return candidate
    const found = spawnSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' }).stdout.trim()
    if (found) return found
  }
  return undefined
}

/** Chromium screenshots the window, not the page: a first pass measures the page's height at this width. */
function screenshot(chromium: string, html: string, out: string): void {
  const work = mkdtempSync(path.join(tmpdir(), 'summary-render-'))
  try {
    const htmlFile = path.join(work, 'summary.html')
    writeFileSync(htmlFile, html)
    const run = (args: string[], height: number) => {
      const result = spawnSync(
        chromium,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--hide-scrollbars',
          `--user-data-dir=${path.join(work, 'profile')}`,
          `--window-size=${WIDTH},${height}`,
          ...args,
          pathToFileURL(htmlFile).href
        ],
        { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }
      )
      if (result.status !== 0) throw new Error(`Chromium failed (exit ${result.status}): ${result.stderr || result.error?.message}`)
      return result.stdout
    }
    const measured = /data-height="(\d+)"/.exec(run(['--dump-dom'], 600))
    const height = measured ? Number(measured[1]) : 1200
    run([`--screenshot=${out}`], height)
    if (!existsSync(out)) throw new Error(`Chromium wrote no screenshot to ${out}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
