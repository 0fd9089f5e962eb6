/**
 * Bundles written as text around stored resources. Stored resources are JSON
 * text whose decimals must reach the client exactly as written (`1.30`), so
 * they are spliced in verbatim instead of being parsed and re-serialised.
 * @see https://hl7.org/fhir/R4/bundle.html
 */
export interface BundleEntryText {
  fullUrl?: string
  /** A stored resource's JSON text, inserted as is. */
  resourceText?: string
  /** Any other entry members (`search`, `request`, `response`), serialised normally. */
  [member: string]: unknown
}

export function bundleText(bundle: Record<string, unknown>, entries: BundleEntryText[]): string {
  const head = JSON.stringify({ resourceType: 'Bundle', ...bundle })
  if (entries.length === 0) {
    return head
  }
  const entryTexts = entries.map(({ resourceText, fullUrl, ...members }) => {
    const parts: string[] = []
    if (fullUrl !== undefined) {
      parts.push(`"fullUrl":${JSON.stringify(fullUrl)}`)
    }
    if (resourceText !== undefined) {
      parts.push(`"resource":${resourceText}`)
    }
    for (const [key, value] of Object.entries(members)) {
      if (value !== undefined) {
        parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`)
      }
    }
    return `{${parts.join(',')}}`
  })
  return `${head.slice(0, -1)},"entry":[${entryTexts.join(',')}]}`
}
