/** Reading the flat query-protocol fields (`ImageId.1`, `Filter.1.Value.2`, `Names.member.1`). */

export type Params = Record<string, string>

/** Values of `prefix.1`, `prefix.2`, ... in index order (gaps allowed, as EC2 does). */
export function list(params: Params, prefix: string): string[] {
  const found: Array<[number, string]> = []
  const re = new RegExp(`^${escape(prefix)}\\.(\\d+)$`)
  for (const [k, v] of Object.entries(params)) {
    const m = re.exec(k)
    if (m) found.push([Number(m[1]), v])
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v)
}

/** Structures `prefix.N.<field>`: one record per N with the sub-keys as fields. */
export function structList(params: Params, prefix: string): Array<Record<string, string>> {
  const byIndex = new Map<number, Record<string, string>>()
  const re = new RegExp(`^${escape(prefix)}\\.(\\d+)\\.(.+)$`)
  for (const [k, v] of Object.entries(params)) {
    const m = re.exec(k)
    if (!m) continue
    const n = Number(m[1])
    let rec = byIndex.get(n)
    if (!rec) byIndex.set(n, (rec = {}))
    rec[m[2]!] = v
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r)
}

export interface Filter {
  name: string
  values: string[]
}

/** EC2 filters: `Filter.N.Name`, `Filter.N.Value.M`. */
export function ec2Filters(params: Params): Filter[] {
  return structList(params, 'Filter').map((rec) => ({
    name: rec['Name'] ?? '',
    values: Object.entries(rec)
      .filter(([k]) => /^Value\.\d+$/.test(k))
      .sort((a, b) => Number(a[0].slice(6)) - Number(b[0].slice(6)))
      .map(([, v]) => v)
  }))
}

export function bool(params: Params, key: string): boolean {
  return (params[key] ?? '').toLowerCase() === 'true'
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The parameters an action models, as patterns of their flat names (`ImageId`, `Filter.1.Name`).
 * `N` in a pattern stands for an index: `Filter.N.Value.N`.
 */
export function accepting(...names: string[]): (key: string) => boolean {
  const patterns = names.map((n) => new RegExp(`^${escape(n).replace(/\bN\b/g, '\\d+')}$`))
  return (key) => patterns.some((p) => p.test(key))
}

/**
 * The first parameter the action does not model (Action, Version and DryRun are always
 * accepted), named as EC2 names an unknown one: the flat name up to its first index
 * (`ExecutableBy.1` -> `ExecutableBy`, `LaunchPermission.Remove.1.Group` -> `LaunchPermission.Remove`).
 */
export function unknownParameter(params: Params, accepts: (key: string) => boolean): string | undefined {
  for (const key of Object.keys(params)) {
    if (key === 'Action' || key === 'Version' || key === 'DryRun' || accepts(key)) continue
    const parts = key.split('.')
    const index = parts.findIndex((p) => /^\d+$/.test(p))
    return index > 0 ? parts.slice(0, index).join('.') : key
  }
  return undefined
}
