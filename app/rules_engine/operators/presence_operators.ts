/**
 * Whether an element is there at all. A `path` that matches nothing gives
 * `undefined`, which no comparison with a JSON value can test, so required
 * elements are checked with these (`"value": true` by convention; it is not read).
 * An empty string, array or object counts as missing.
 */
function missing(factValue: unknown): boolean {
  if (factValue === undefined || factValue === null || factValue === '') {
    return true
  }
  if (Array.isArray(factValue)) {
    return factValue.every(missing)
  }
  if (typeof factValue === 'object') {
    return Object.keys(factValue as object).length === 0
  }
  return false
}

export const PRESENCE_OPERATORS = {
  isMissing: (factValue: unknown) => missing(factValue),
  isPresent: (factValue: unknown) => !missing(factValue),
} as const
