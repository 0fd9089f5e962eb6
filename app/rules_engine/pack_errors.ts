/**
 * Stable codes of rule pack refusals, each with the HTTP status an API answers with.
 * Authoring surfaces (API, admin UI, `rules:validate`) show the problems; the codes let
 * callers and tests tell the kinds apart without parsing messages.
 * @see https://github.com/CacheControl/json-rules-engine/blob/master/docs/rules.md
 */
export const PACK_ERROR_STATUSES = {
  /** The file could not be read. */
  E_PACK_READ: 400,
  /** The text is not JSON. */
  E_PACK_JSON: 400,
  /** The text is larger than the loader accepts. */
  E_PACK_TOO_LARGE: 413,
  /** Objects and arrays nest deeper than the loader accepts. */
  E_PACK_TOO_DEEP: 400,
  /** The document does not match rules/schema/rule-pack.schema.json. */
  E_PACK_SCHEMA: 422,
  /** A fact is not declared in `facts` or not provided by the platform. */
  E_PACK_UNKNOWN_FACT: 422,
  /** A condition names an operator (or decorator) the engine does not have. */
  E_PACK_UNKNOWN_OPERATOR: 422,
  /** A `{ "condition": name }` reference names no shared condition. */
  E_PACK_UNKNOWN_CONDITION: 422,
  /** Shared conditions reference each other in a cycle. */
  E_PACK_CONDITION_CYCLE: 422,
  /** A `table` param names no table of `data`. */
  E_PACK_MISSING_DATA: 422,
  /** Two rules or two tests share a name. */
  E_PACK_DUPLICATE_NAME: 422,
  /** An action cannot happen on the pack's triggers (a reject without beforeSave, a path on an untriggered type). */
  E_PACK_TRIGGER_MISMATCH: 422,
  /** A test expects a rule or an action type the pack does not have. */
  E_PACK_TEST_REFERENCE: 422,
  /** Two files of one directory hold the same pack id@version. */
  E_PACK_DUPLICATE: 409,
} as const

export type PackErrorCode = keyof typeof PACK_ERROR_STATUSES

/**
 * One thing wrong with a pack. `path` is a JSON Pointer into the document
 * (`/rules/2/conditions/all/0/fact`; `""` is the whole document), so editors can underline it.
 * @see https://www.rfc-editor.org/rfc/rfc6901
 */
export interface PackProblem {
  code: PackErrorCode
  path: string
  message: string
}

/**
 * A pack was refused. It carries every problem found, not just the first, so an
 * informatician fixes them in one pass; `code` is the code of the first problem.
 */
export class RulePackError extends Error {
  readonly code: PackErrorCode
  readonly status: number

  constructor(
    readonly problems: PackProblem[],
    readonly source?: string
  ) {
    super(summarise(problems, source))
    this.name = 'RulePackError'
    this.code = problems[0]?.code ?? 'E_PACK_SCHEMA'
    this.status = PACK_ERROR_STATUSES[this.code]
  }

  /** A refusal with a single problem. */
  static of(code: PackErrorCode, path: string, message: string, source?: string): RulePackError {
    return new RulePackError([{ code, path, message }], source)
  }

  /** The same problems, attributed to a file or an upload name. */
  withSource(source: string): RulePackError {
    return new RulePackError(this.problems, source)
  }
}

/**
 * Appends one reference token to a JSON Pointer, escaping "~" and "/".
 * @see https://www.rfc-editor.org/rfc/rfc6901#section-3
 */
export function pointer(base: string, token: string | number): string {
  return `${base}/${String(token).replaceAll('~', '~0').replaceAll('/', '~1')}`
}

function summarise(problems: readonly PackProblem[], source?: string): string {
  const where = source ? `${source}: ` : ''
  const first = problems[0]
  if (!first) {
    return `${where}invalid rule pack`
  }
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ''
  return `${where}${first.path || '/'}: ${first.message}${more}`
}
