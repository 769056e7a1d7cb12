/** Small helpers shared by the emulator: XML output, seeded randomness, globs, tokens. */

export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** `<name>value</name>`, or '' when value is undefined/null. Booleans and numbers are stringified. */
export function el(name: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return ''
  return `<${name}>${xmlEscape(String(value))}</${name}>`
}

/** `<name>inner</name>` with already-built XML inside (inner is not escaped). */
export function wrap(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`
}

/** A list of `<item>` elements (EC2 style) wrapped in `name`. */
export function itemSet<T>(
  name: string,
  items: readonly T[] | undefined,
  render: (item: T) => string,
  itemName = 'item'
): string {
  if (!items || items.length === 0) return ''
  return wrap(name, items.map((i) => wrap(itemName, render(i))).join(''))
}

/** mulberry32: tiny deterministic PRNG returning floats in [0, 1). */
export function makeRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomHex(random: () => number, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16)
  return out
}

/** EC2 filter values: `*` = any run of characters, `?` = one character, `\` escapes. Case sensitive. */
export function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '\\' && i + 1 < glob.length) {
      re += glob[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    } else if (c === '*') re += '[\\s\\S]*'
    else if (c === '?') re += '[\\s\\S]'
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

const globCache = new Map<string, RegExp>()
export function globMatch(glob: string, value: string | undefined): boolean {
  if (value === undefined) return false
  if (!/[*?\\]/.test(glob)) return glob === value
  let re = globCache.get(glob)
  if (!re) {
    re = globToRegExp(glob)
    if (globCache.size > 1000) globCache.clear()
    globCache.set(glob, re)
  }
  return re.test(value)
}

/** Opaque pagination token: offset plus a fingerprint of the query it belongs to. */
export function makeToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64url')
}

export function readToken(token: string, fingerprint: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; f?: unknown }
    if (typeof parsed.o !== 'number' || parsed.f !== fingerprint || parsed.o < 0) return undefined
    return parsed.o
  } catch {
    return undefined
  }
}

/** Fingerprint of the request's fields other than paging ones (a token only works for the same query). */
export function fingerprint(
  params: Record<string, string>,
  ignore: readonly string[] = ['NextToken', 'MaxResults', 'MaxRecords', 'DryRun']
): string {
  return Object.keys(params)
    .filter((k) => !ignore.includes(k) && k !== 'Action' && k !== 'Version')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&')
}

/** A delay that does not keep the process alive (the server does while it listens). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

/** Match an action name against patterns like `ec2:DisableImage`, `ec2:*`, `DisableImage`, `*`. */
export function actionMatches(pattern: string, service: string, action: string): boolean {
  if (pattern === '*') return true
  const full = `${service}:${action}`
  if (pattern.includes(':')) return globMatch(pattern, full)
  return globMatch(pattern, action)
}
