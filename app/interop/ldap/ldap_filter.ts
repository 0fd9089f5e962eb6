/** Octets RFC 4515 requires escaped in an assertion value: NUL ( ) * \ */
const SPECIAL_OCTETS = new Set([0x00, 0x28, 0x29, 0x2a, 0x5c])

/**
 * Escapes a value for the assertion part of a search filter, so user input can only ever be
 * compared, never change the filter: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`,
 * `\5c`, `\00`, and every octet of a non-ASCII character becomes its UTF-8 escape
 * (`ë` → `\c3\ab`), which keeps the filter printable ASCII.
 * @see https://www.rfc-editor.org/rfc/rfc4515#section-3
 */
export function escapeFilterValue(value: string): string {
  let escaped = ''
  for (const octet of Buffer.from(value, 'utf8')) {
    escaped +=
      SPECIAL_OCTETS.has(octet) || octet > 0x7e || octet < 0x20
        ? `\\${octet.toString(16).padStart(2, '0')}`
        : String.fromCharCode(octet)
  }
  return escaped
}

/**
 * Fills the `{name}` placeholders of a filter template (`(&(objectClass=inetOrgPerson)(uid={username}))`)
 * with escaped values. A placeholder with no value is a configuration mistake and throws.
 * @see https://www.rfc-editor.org/rfc/rfc4515#section-3
 */
export function fillFilterTemplate(template: string, values: Record<string, string>): string {
  // A function replacement, so `$&` and friends in a value are never interpreted.
  return template.replaceAll(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name]
    if (value === undefined) {
      throw new Error(`Filter template ${template} has an unknown placeholder ${placeholder}`)
    }
    return escapeFilterValue(value)
  })
}

/** The placeholders a filter template uses, to check settings before any login. */
export function filterPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1])
}
