/**
 * Why a search request was refused, with the OperationOutcome issue type
 * (https://hl7.org/fhir/R4/valueset-issue-type.html) each one maps to. Every
 * refusal is a 400: the client asked for something this server does not do.
 */
export const SEARCH_ERROR_CODES = {
  'unknown-type': 'not-supported',
  'unknown-parameter': 'not-supported',
  'unsupported-parameter': 'not-supported',
  'unsupported-modifier': 'not-supported',
  'unsupported-value': 'not-supported',
  'repeated-parameter': 'invalid',
  'invalid-value': 'invalid',
  'invalid-date': 'invalid',
  'invalid-count': 'invalid',
  'invalid-offset': 'invalid',
  'invalid-sort': 'invalid',
  'invalid-include': 'invalid',
} as const

export type SearchErrorCode = keyof typeof SEARCH_ERROR_CODES

/**
 * A search request this server refuses, naming the parameter at fault.
 * Unknown parameters are refused rather than ignored, as under
 * `Prefer: handling=strict` (https://hl7.org/fhir/R4/search.html#errors):
 * a search silently widened by a typo would return the wrong patients.
 */
export class SearchError extends Error {
  readonly status = 400
  readonly issueType: (typeof SEARCH_ERROR_CODES)[SearchErrorCode]

  constructor(
    readonly code: SearchErrorCode,
    readonly parameter: string,
    message: string
  ) {
    super(message)
    this.name = 'SearchError'
    this.issueType = SEARCH_ERROR_CODES[code]
  }
}
