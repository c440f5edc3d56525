/** Renders a job summary (GitHub-flavoured Markdown) readably in a terminal: aligned tables, no link URLs, code blocks as they are. */
export function markdownToTerminal(
  markdown: string,
  { color = process.stdout.isTTY ?? false, maxTableRows = Infinity }: { color?: boolean; maxTableRows?: number } = {}
): string {
  const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[22m` : text)
  const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[22m` : text)
  const inline = (text: string) =>
    text
      .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
      .replace(/<br>/g, ' ')
      .replace(/<\/?summary>/g, '')
      .replace(/<b>([^<]+)<\/b>/g, (_, inner: string) => bold(inner))
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .replace(/\\\|/g, '|')
      .replace(/`([^`]+)`/g, '$1')
      .replace(/\*\*([^*]+)\*\*/g, (_, inner: string) => bold(inner))
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
        if (/^\|\s*-/.test(lines[i])) continue
        rows.push(lines[i].slice(1, -1).split(/(?<!\\)\|/).map((cell) => inline(cell.trim())))
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
