/**
 * Code matching over FHIR CodeableConcepts. The fact is a CodeableConcept, a
 * Coding, a dose of `immunizationHistory`, or a list of those; the value is `"system|code"`, `"code"`, or a
 * list of those. `hasCode` is true when any coding matches any value.
 * @see https://hl7.org/fhir/R4/datatypes.html#CodeableConcept
 */
function codings(value: unknown): Array<{ system?: string; code?: string }> {
  if (Array.isArray(value)) {
    return value.flatMap(codings)
  }
  if (value && typeof value === 'object') {
    const object = value as Record<string, any>
    if (Array.isArray(object.coding)) {
      return object.coding
    }
    /* A dose of the immunizationHistory fact: { date, codes: [{ system, code }] }. */
    if (Array.isArray(object.codes)) {
      return object.codes
    }
    if ('code' in object) {
      return [object]
    }
  }
  return []
}

function matches(coding: { system?: string; code?: string }, wanted: unknown) {
  if (typeof wanted !== 'string') {
    return false
  }
  const bar = wanted.lastIndexOf('|')
  if (bar === -1) {
    return coding.code === wanted
  }
  return coding.system === wanted.slice(0, bar) && coding.code === wanted.slice(bar + 1)
}

function hasCode(factValue: unknown, jsonValue: unknown) {
  const wanted = Array.isArray(jsonValue) ? jsonValue : [jsonValue]
  return codings(factValue).some((coding) => wanted.some((value) => matches(coding, value)))
}

export const CODE_OPERATORS = {
  hasCode,
  lacksCode: (factValue: unknown, jsonValue: unknown) => !hasCode(factValue, jsonValue),
} as const
