/**
 * Canonical JSON as TUF signs it: object keys sorted, no insignificant whitespace,
 * integers only, and only `"` and `\` escaped in strings. Key ids and signatures are
 * computed over these bytes, so they must match what every TUF client produces.
 * @see https://theupdateframework.github.io/specification/latest/#metaformat
 * @see http://wiki.laptop.org/go/Canonical_JSON
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') {
    return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
  }
  if (typeof value === 'boolean' || value === null || Number.isInteger(value)) {
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item)).join(',')}]`
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>
    const members = Object.keys(record)
      .sort()
      .map((key) => `${canonicalJson(key)}:${canonicalJson(record[key])}`)
    return `{${members.join(',')}}`
  }
  throw new TypeError(`Canonical JSON cannot encode ${typeof value} ${String(value)}`)
}
