/**
 * Text from outside the code (rule names, tag values, AWS error messages, file contents) on its
 * way into the log or the job summary: there it is data, never a workflow command or markup.
 */

/** C0 and C1 control characters and the Unicode line separators: what could end a log line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/**
 * One line of the log. The runner reads a line that starts with "::" (after blanks) as a workflow
 * command, so the text is kept on one line and such a start is defused.
 */
export function logLine(text: string): string {
  const line = text.replace(CONTROL, ' ')
  return /^\s*::/.test(line) ? `› ${line}` : line
}

/**
 * Text for GitHub-flavoured Markdown, inside a table cell or a paragraph: HTML, table pipes and
 * Markdown punctuation escaped, kept on one line, and URLs and `www.` names left unlinked (GitHub
 * links them by itself): only URLs the action builds are links.
 */
export function markdownText(text: string): string {
  return text
    .replace(CONTROL, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\|[\]`*_~])/g, '\\$1')
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\bwww\./gi, (www) => `${www.slice(0, 3)}\u200b.`)
}

/** A value shown as it is (a tag's value, a URL read back): a code span, which GitHub never links or renders. */
export function markdownCode(text: string): string {
  const value = text.replace(CONTROL, ' ').replace(/`/g, "'")
  return `\`${value}\``
}
