/**
 * Reading Markdown the way GitHub renders it, for the tests of the comment and the job summary:
 * markdown-it (CommonMark with GFM tables and strikethrough), raw HTML on as GitHub allows it,
 * and linkify as GFM's autolinks: URLs with a scheme, `www.` domains, e-mail addresses. Bare
 * domains (`evil.example`) are not links in GFM and not here. GitHub's @mentions are found in
 * the rendered text (outside code spans and links).
 */
import MarkdownIt from 'markdown-it'
import type { Token } from 'markdown-it'

const parser = new MarkdownIt({ html: true, linkify: true })
parser.linkify.set({ fuzzyLink: false, fuzzyEmail: true })
// GFM's extended www autolink: `www.` then a domain, whatever its top-level domain
parser.linkify.add('www.', {
  validate: (text, pos) =>
    /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*(?:[/?#][^\s<]*)?/.exec(text.slice(pos))?.[0].length ?? 0,
  normalize: (match) => {
    match.url = `http://${match.url}`
  }
})

/** Every token of the document, the inline ones (children) in place after their parent. */
export function tokens(markdown: string): Token[] {
  return parser.parse(markdown, {}).flatMap((t) => [t, ...(t.children ?? [])])
}

/** A link as a reader sees it: where it goes, and its text. Images count (they load their `src`). */
export interface Link {
  href: string
  text: string
  kind: 'link' | 'autolink' | 'image'
}

/** Every link and image of the document: Markdown links, `<…>` autolinks and GFM's bare autolinks. */
export function links(markdown: string): Link[] {
  const found: Link[] = []
  for (const block of parser.parse(markdown, {})) {
    const children = block.children ?? []
    children.forEach((t, i) => {
      if (t.type === 'link_open') {
        let text = ''
        for (let j = i + 1; j < children.length && children[j]!.type !== 'link_close'; j++) text += children[j]!.content
        found.push({
          href: t.attrGet('href') ?? '',
          text,
          kind: t.markup === 'linkify' || t.markup === 'autolink' ? 'autolink' : 'link'
        })
      }
      if (t.type === 'image') found.push({ href: t.attrGet('src') ?? '', text: t.content, kind: 'image' })
    })
  }
  return found
}

/** The raw HTML of the document (blocks and inline tags), as GitHub would pass it on. */
export function html(markdown: string): string[] {
  return tokens(markdown)
    .filter((t) => t.type === 'html_block' || t.type === 'html_inline')
    .map((t) => t.content)
}

/**
 * What a reader sees of inline tokens: text, code spans, line breaks, an image's alt text; not
 * HTML tags (the browser renders them); zero-width spaces are invisible.
 */
function shown(children: Token[]): string {
  return children
    .map((t) =>
      t.type === 'text' || t.type === 'code_inline'
        ? t.content
        : t.type === 'softbreak' || t.type === 'hardbreak'
          ? '\n'
          : t.type === 'image'
            ? t.content
            : ''
    )
    .join('')
    .replace(/\u200B/g, '')
}

/** The text of a fragment shown inline (a table cell, a line), escapes and entities decoded. */
export function inlineText(fragment: string): string {
  return shown(parser.parseInline(fragment, {})[0]?.children ?? [])
}

/** The text of the whole document, block by block (one line each); HTML blocks are left out. */
export function text(markdown: string): string {
  return parser
    .parse(markdown, {})
    .filter((t) => t.type === 'inline')
    .map((t) => shown(t.children ?? []))
    .join('\n')
}

export interface Table {
  /** the text of the header cells */
  header: string[]
  /** the text of each body row's cells */
  rows: string[][]
  /** the source lines the table spans, [first, end) */
  lines: [number, number]
}

/** The tables of the document, as the text of their cells. */
export function tables(markdown: string): Table[] {
  const result: Table[] = []
  let table: Table | undefined
  let row: string[] | undefined
  let inHead = false
  for (const t of parser.parse(markdown, {})) {
    if (t.type === 'table_open') {
      table = { header: [], rows: [], lines: t.map ?? [0, 0] }
      result.push(table)
    } else if (t.type === 'thead_open') inHead = true
    else if (t.type === 'thead_close') inHead = false
    else if (t.type === 'tr_open') row = []
    else if (t.type === 'tr_close' && table && row) {
      if (inHead) table.header = row
      else table.rows.push(row)
      row = undefined
    } else if (t.type === 'inline' && row) row.push(shown(t.children ?? []))
    else if (t.type === 'table_close') table = undefined
  }
  return result
}

/** GitHub's @mentions (`@login`, `@org/team`) in the rendered text, outside code spans and links. */
export function mentions(markdown: string): string[] {
  const found: string[] = []
  for (const block of parser.parse(markdown, {})) {
    let inLink = 0
    let run = ''
    const flush = (): void => {
      for (const m of run.matchAll(/(?:^|[^A-Za-z0-9_`])@([A-Za-z0-9](?:[A-Za-z0-9-]*)(?:\/[A-Za-z0-9_.-]+)?)/g))
        found.push(`@${m[1]}`)
      run = ''
    }
    for (const t of block.children ?? []) {
      if (t.type === 'link_open') inLink++
      else if (t.type === 'link_close') inLink--
      else if (t.type === 'text' && inLink === 0) {
        run += t.content
        continue
      }
      flush()
    }
    flush()
  }
  return found
}

/** The headings of the document: level and text. */
export function headings(markdown: string): Array<{ level: number; text: string }> {
  const all = parser.parse(markdown, {})
  return all.flatMap((t, i) =>
    t.type === 'heading_open' ? [{ level: Number(t.tag.slice(1)), text: shown(all[i + 1]?.children ?? []) }] : []
  )
}

/** The `####` headings of a report: its sections, in order. */
export function sections(markdown: string): string[] {
  return headings(markdown)
    .filter((h) => h.level === 4)
    .map((h) => h.text)
}

/** The one table under a report's `####` heading (up to the next); throws when the section or its table is missing. */
export function tableUnder(markdown: string, heading: string): Table {
  const start = markdown.indexOf(`#### ${heading}\n`)
  if (start < 0) throw new Error(`no section '${heading}' in:\n${markdown}`)
  const rest = markdown.slice(start + heading.length + 6)
  const end = rest.indexOf('\n#### ')
  const [found] = tables(end < 0 ? rest : rest.slice(0, end))
  if (!found) throw new Error(`no table under '${heading}'`)
  return found
}

/** The text of each block quote (GitHub's alerts are block quotes that start with `[!NOTE]`, `[!WARNING]`, …). */
export function blockquotes(markdown: string): string[] {
  const found: string[] = []
  const open: string[][] = []
  for (const t of parser.parse(markdown, {})) {
    if (t.type === 'blockquote_open') open.push([])
    else if (t.type === 'blockquote_close') found.push(open.pop()!.join('\n'))
    else if (t.type === 'inline' && open.length) open.at(-1)!.push(shown(t.children ?? []))
  }
  return found
}
