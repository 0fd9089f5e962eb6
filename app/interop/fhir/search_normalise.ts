/**
 * Lowercase, accents and other combining marks removed, runs of whitespace
 * made one space: `string` parameters match "case-insensitive and
 * accent-insensitive" by default (https://hl7.org/fhir/R4/search.html#string),
 * so index values and search values both go through this.
 */
export function normaliseSearchText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * A reference reduced to what search compares
 * (https://hl7.org/fhir/R4/references.html#literal): `reference` is
 * `Type/id` for a local or absolute URL (version dropped), or the URN itself.
 */
export type ParsedReference =
  | { form: 'relative'; type: string; id: string; reference: string }
  | { form: 'absolute'; type: string; id: string; reference: string; url: string }
  | { form: 'urn'; type: null; id: null; reference: string }

export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/
export const RESOURCE_TYPE_PATTERN = /^[A-Z][A-Za-z]{1,63}$/

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/
const ABSOLUTE =
  /^(https?:\/\/[^\s?#]+?)\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/
const URN = /^urn:(?:uuid|oid):[^\s]+$/

/**
 * Reads `Patient/123`, `Patient/123/_history/2`, `https://host/fhir/Patient/123`
 * and `urn:uuid:...`. Contained (`#id`), conditional (`Patient?identifier=`)
 * and malformed references give `null`: there is nothing to search them by.
 */
export function parseReference(text: string): ParsedReference | null {
  const relative = RELATIVE.exec(text)
  if (relative) {
    const [, type, id] = relative
    return { form: 'relative', type, id, reference: `${type}/${id}` }
  }
  const absolute = ABSOLUTE.exec(text)
  if (absolute) {
    const [, base, type, id] = absolute
    return { form: 'absolute', type, id, reference: `${type}/${id}`, url: `${base}/${type}/${id}` }
  }
  if (URN.test(text)) {
    return { form: 'urn', type: null, id: null, reference: text }
  }
  return null
}
