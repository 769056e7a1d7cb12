/**
 * All escaping of text that came from AWS or from inputs, in one place. A name or tag value
 * cannot break a table, start a link or an HTML tag, ping a person, or close the hidden marker.
 */

const MAX_CELL = 200

/** Text for a Markdown table cell or a line: one line, no Markdown, no HTML, no mentions. */
export function md(value: string | undefined | null, max = MAX_CELL): string {
  if (value === undefined || value === null) return ''
  let text = String(value).replace(/[\r\n\t\u2028\u2029]+/g, ' ')
  if (text.length > max) text = `${text.slice(0, max - 1)}…`
  return (
    text
      .replace(/[\\*_[\]#~:]/g, (c) => `\\${c}`)
      // Every `www.`: GFM links one after a space, `*`, `_`, `~` or `(`, and a word boundary misses `_`.
      .replace(/www\./gi, (w) => `${w.slice(0, 3)}\\.`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\|/g, '&#124;')
      .replace(/`/g, '&#96;')
      .replace(/@/g, '@\u200B')
      .replace(/^(\s*)([-+>])/, '$1\\$2')
  )
}

/** Text inside `code` spans: only what a code span cannot hold is removed. */
export function code(value: string): string {
  return `\`${String(value).replace(/[`\r\n|]/g, '')}\``
}
