import { SearchError } from '#interop/fhir/search_error'
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes'

/**
 * OperationOutcome.issue.severity.
 * @see https://hl7.org/fhir/R4/valueset-issue-severity.html
 */
export const ISSUE_SEVERITIES = {
  fatal: 'the issue caused the action to fail and no further checking could be performed',
  error: 'the issue is sufficiently important to cause the action to fail',
  warning: 'the action succeeded, but the issue may need attention',
  information: 'the issue has no relation to the degree of success of the action',
} as const satisfies Record<OperationOutcomeIssue['severity'], string>

export type IssueSeverity = keyof typeof ISSUE_SEVERITIES

/**
 * OperationOutcome.issue.code: what kind of problem an issue reports.
 * @see https://hl7.org/fhir/R4/valueset-issue-type.html
 */
export const ISSUE_TYPES = {
  'invalid': 'content invalid against the specification or a profile',
  'structure': 'structural issue in the content (syntax, unknown element, wrong type)',
  'required': 'a required element is missing',
  'value': 'an element value is invalid',
  'invariant': 'a content validation rule failed',
  'security': 'an authentication or authorization problem',
  'login': 'the client needs to authenticate',
  'unknown': 'the user or system was not able to be authenticated',
  'expired': 'the session or token has expired',
  'forbidden': 'the user does not have the rights to perform this action',
  'suppressed': 'some information was not returned due to business rules',
  'processing': 'processing issues not related to the content',
  'not-supported': 'the interaction, operation, resource or profile is not supported',
  'duplicate': 'an attempt was made to create a duplicate record',
  'multiple-matches': 'multiple matching records were found when one was expected',
  'not-found': 'the reference provided was not found',
  'deleted': 'the reference pointed at content that has been deleted',
  'too-long': 'provided content is too long',
  'code-invalid': 'the code or system could not be understood',
  'extension': 'an extension was not recognised or is not supported',
  'too-costly': 'the operation was stopped to protect server resources',
  'business-rule': 'the content or operation failed a business rule',
  'conflict': 'content could not be accepted because of an edit conflict',
  'transient': 'transient processing issues; the client may try again later',
  'lock-error': 'a resource or record lock failed',
  'no-store': 'persistent store unavailable',
  'exception': 'an unexpected internal error has occurred',
  'timeout': 'an internal timeout has occurred',
  'incomplete': 'not all data sources typically accessed could be reached',
  'throttled': 'the system is not prepared to handle this request due to load management',
  'informational': 'a message unrelated to the processing success of the completed operation',
} as const satisfies Record<OperationOutcomeIssue['code'], string>

export type IssueType = keyof typeof ISSUE_TYPES

/**
 * Stable error codes of the FHIR surface and the HTTP status each answers with.
 * @see https://hl7.org/fhir/R4/http.html#summary
 */
export const FHIR_ERROR_STATUSES = {
  E_FHIR_BAD_REQUEST: 400,
  E_FHIR_MALFORMED_JSON: 400,
  E_FHIR_TOO_DEEP: 400,
  E_FHIR_UNKNOWN_SEARCH_PARAMETER: 400,
  E_FHIR_UNAUTHORIZED: 401,
  E_FHIR_FORBIDDEN: 403,
  E_FHIR_NOT_FOUND: 404,
  E_FHIR_METHOD_NOT_ALLOWED: 405,
  E_FHIR_NOT_ACCEPTABLE: 406,
  E_FHIR_CONFLICT: 409,
  E_FHIR_GONE: 410,
  E_FHIR_PRECONDITION_FAILED: 412,
  E_FHIR_TOO_LARGE: 413,
  E_FHIR_UNSUPPORTED_MEDIA_TYPE: 415,
  E_FHIR_INVALID: 422,
  E_FHIR_PROCESSING: 500,
} as const

export type FhirErrorCode = keyof typeof FHIR_ERROR_STATUSES

/**
 * Builds one OperationOutcome issue. `expression` is the FHIRPath of the element at fault
 * (`Patient.birthDate`), left out when the problem has no element.
 * @see https://hl7.org/fhir/R4/operationoutcome-definitions.html#OperationOutcome.issue
 */
export function outcomeIssue(
  code: IssueType,
  diagnostics: string,
  expression?: string,
  severity: IssueSeverity = 'error'
): OperationOutcomeIssue {
  const issue: OperationOutcomeIssue = { severity, code, diagnostics }
  if (expression !== undefined) {
    issue.expression = [expression]
  }
  return issue
}

/**
 * Wraps issues in an OperationOutcome. An outcome carries at least one issue, so an empty
 * list becomes the informational "All OK" the specification suggests.
 * @see https://hl7.org/fhir/R4/operationoutcome.html
 */
export function operationOutcome(issues: readonly OperationOutcomeIssue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue:
      issues.length > 0
        ? [...issues]
        : [outcomeIssue('informational', 'All OK', undefined, 'information')],
  }
}

/**
 * An error of the FHIR surface: a stable `code`, the HTTP `status` it answers with and the
 * OperationOutcome issues that explain it. The exception handler renders it as an
 * OperationOutcome under `/fhir`, the MLLP listener as an ACK with ERR segments.
 * @see https://hl7.org/fhir/R4/http.html#summary
 */
export class FhirError extends Error {
  readonly status: number

  constructor(
    readonly code: FhirErrorCode,
    readonly issues: OperationOutcomeIssue[]
  ) {
    super(summarise(issues))
    this.name = 'FhirError'
    this.status = FHIR_ERROR_STATUSES[code]
  }

  toOperationOutcome(): OperationOutcome {
    return operationOutcome(this.issues)
  }

  /** 404: the resource was never known here. */
  static notFound(resourceType: string, id: string): FhirError {
    return new FhirError('E_FHIR_NOT_FOUND', [
      outcomeIssue('not-found', `${resourceType}/${id} is not known`),
    ])
  }

  /** 410: the resource existed and was deleted. */
  static gone(resourceType: string, id: string): FhirError {
    return new FhirError('E_FHIR_GONE', [
      outcomeIssue('deleted', `${resourceType}/${id} was deleted`),
    ])
  }

  /** 422: the content is not a valid resource; each issue names its element. */
  static invalid(issues: OperationOutcomeIssue[]): FhirError {
    return new FhirError('E_FHIR_INVALID', issues)
  }

  /** 400: the request itself cannot be understood. */
  /** 405: this interaction is not offered on this resource type. */
  static methodNotAllowed(message: string): FhirError {
    return new FhirError('E_FHIR_METHOD_NOT_ALLOWED', [outcomeIssue('not-supported', message)])
  }

  static badRequest(message: string, expression?: string): FhirError {
    return new FhirError('E_FHIR_BAD_REQUEST', [outcomeIssue('invalid', message, expression)])
  }

  /** 412: `If-Match` names a version that is no longer current. */
  static preconditionFailed(message: string): FhirError {
    return new FhirError('E_FHIR_PRECONDITION_FAILED', [outcomeIssue('conflict', message)])
  }

  /** 409: the change conflicts with the current state of the resource. */
  static conflict(message: string): FhirError {
    return new FhirError('E_FHIR_CONFLICT', [outcomeIssue('conflict', message)])
  }

  /** 413: the body is larger than the server accepts. */
  static tooLarge(limitBytes: number): FhirError {
    return new FhirError('E_FHIR_TOO_LARGE', [
      outcomeIssue('too-long', `The body is larger than the limit of ${limitBytes} bytes`),
    ])
  }

  /** 401: no or unusable credentials. */
  static unauthorized(message = 'Authentication is required'): FhirError {
    return new FhirError('E_FHIR_UNAUTHORIZED', [outcomeIssue('login', message)])
  }

  /** 403: authenticated, but not allowed to do this. */
  static forbidden(message = 'You are not allowed to do this'): FhirError {
    return new FhirError('E_FHIR_FORBIDDEN', [outcomeIssue('forbidden', message)])
  }

  /** 406: the client accepts none of the formats the server writes. */
  static notAcceptable(offered: readonly string[] = ['application/fhir+json']): FhirError {
    return new FhirError('E_FHIR_NOT_ACCEPTABLE', [
      outcomeIssue('not-supported', `This server answers in ${offered.join(', ')} only`),
    ])
  }

  /** 415: the body is in a format the server does not read. */
  static unsupportedMediaType(received: string): FhirError {
    return new FhirError('E_FHIR_UNSUPPORTED_MEDIA_TYPE', [
      outcomeIssue(
        'not-supported',
        `Content-Type ${received} is not supported: send application/fhir+json`
      ),
    ])
  }

  /**
   * 400: a search parameter this server does not know. Searches are strict, so an unknown
   * parameter is refused rather than silently widening the result.
   * @see https://hl7.org/fhir/R4/search.html#errors
   */
  static unknownSearchParameter(
    resourceType: string,
    name: string,
    known: readonly string[] = []
  ): FhirError {
    const hint = known.length > 0 ? `; known parameters: ${known.join(', ')}` : ''
    return new FhirError('E_FHIR_UNKNOWN_SEARCH_PARAMETER', [
      outcomeIssue(
        'not-supported',
        `Unknown search parameter "${name}" for ${resourceType}${hint}`
      ),
    ])
  }

  /** 500: a step of the save pipeline failed; the write was rolled back. */
  static processing(message: string): FhirError {
    return new FhirError('E_FHIR_PROCESSING', [outcomeIssue('processing', message)])
  }
}

/**
 * Any error as a FhirError: search refusals keep their 400 and parameter;
 * anything unexpected becomes a 500 that names no internals.
 */
export function toFhirError(error: unknown): FhirError {
  if (error instanceof FhirError) {
    return error
  }
  if (error instanceof SearchError) {
    const code =
      error.code === 'unknown-parameter' ? 'E_FHIR_UNKNOWN_SEARCH_PARAMETER' : 'E_FHIR_BAD_REQUEST'
    return new FhirError(code, [outcomeIssue(error.issueType, error.message, error.parameter)])
  }
  return FhirError.processing('The server could not complete the request')
}

function summarise(issues: readonly OperationOutcomeIssue[]): string {
  const first = issues[0]
  if (!first) {
    return 'FHIR error'
  }
  const where = first.expression?.length ? ` (${first.expression.join(', ')})` : ''
  const more = issues.length > 1 ? ` and ${issues.length - 1} more issue(s)` : ''
  return `${first.diagnostics ?? first.code}${where}${more}`
}
