import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { AnySchemaObject, ErrorObject } from 'ajv'
import { pointer, type PackProblem } from '#rules_engine/pack_errors'

/**
 * The published JSON Schema of rule packs (draft 2020-12). The iCDR serves this file so
 * editors can autocomplete packs; builds must copy `rules/` next to `app/`.
 * @see https://json-schema.org/draft/2020-12/json-schema-core
 */
export const RULE_PACK_SCHEMA_URL = new URL(
  '../../rules/schema/rule-pack.schema.json',
  import.meta.url
)
export const RULE_PACK_SCHEMA_PATH = fileURLToPath(RULE_PACK_SCHEMA_URL)

/** The schema's `$id`: stable whatever host serves it; the `:1` changes only on a breaking change. */
export const RULE_PACK_SCHEMA_ID = 'urn:outpost:schema:rule-pack:1'

/** The schema document, read from the repository. */
export function readRulePackSchema(): AnySchemaObject {
  return JSON.parse(readFileSync(RULE_PACK_SCHEMA_PATH, 'utf8')) as AnySchemaObject
}

/** Checks a parsed document against the schema; returns the problems, none when valid. */
export type PackSchemaCheck = (document: unknown) => PackProblem[]

/**
 * Compiles the schema once (ajv generates code; compiling per pack would cost milliseconds
 * each). `allErrors` reports every problem, not only the first.
 * @see https://ajv.js.org/options.html
 */
export function compileRulePackSchema(schema = readRulePackSchema()): PackSchemaCheck {
  // Strict about unknown keywords and formats; type and required checks across if/then
  // branches would force "type": "object" into every branch for no gain.
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
  })
  ajv.addFormat('date', { type: 'string', validate: isCalendarDate })
  const validate = ajv.compile(schema)
  return (document) => (validate(document) ? [] : toProblems(validate.errors ?? []))
}

/**
 * A full-date of RFC 3339 that exists on the calendar (no 2024-02-30).
 * @see https://www.rfc-editor.org/rfc/rfc3339#section-5.6
 */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!match) {
    return false
  }
  const [year, month, day] = match.slice(1).map(Number)
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/**
 * Turns ajv errors into problems an informatician can act on: a missing or unknown property
 * is reported at its own pointer, `if`/`anyOf`/`oneOf` noise is folded into one message,
 * and a bad name in `propertyNames` points at that name.
 * @see https://ajv.js.org/api.html#validation-errors
 */
function toProblems(errors: readonly ErrorObject[]): PackProblem[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
  const insideAlternative = (error: ErrorObject) =>
    alternatives.some(
      (a) =>
        a !== error &&
        a.instancePath === error.instancePath &&
        error.schemaPath.startsWith(`${a.schemaPath}/`)
    )
  const problems: PackProblem[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'propertyNames' || insideAlternative(error)) {
      continue
    }
    const problem = describe(error)
    const key = `${problem.path}\n${problem.message}`
    if (!seen.has(key)) {
      seen.add(key)
      problems.push(problem)
    }
  }
  return problems
}

function describe(error: ErrorObject): PackProblem {
  const params = error.params as Record<string, unknown>
  let path = error.instancePath
  let message = error.message ?? 'is invalid'
  if (error.propertyName !== undefined) {
    path = pointer(path, error.propertyName)
  }
  if (error.keyword === 'required') {
    path = pointer(path, String(params.missingProperty))
    message = 'is required'
  } else if (error.keyword === 'additionalProperties') {
    path = pointer(path, String(params.additionalProperty))
    message = 'is not a property allowed here (misspelt?)'
  } else if (error.keyword === 'pattern') {
    // The pattern itself means little to an informatician; the description says the form.
    const form = error.parentSchema?.description ?? `the pattern ${params.pattern}`
    message = `${JSON.stringify(error.data)} is not in the expected form: ${form}`
  } else if (error.keyword === 'format' && params.format === 'date') {
    message = 'must be a calendar date, YYYY-MM-DD'
  } else if (error.keyword === 'enum') {
    message = `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`
  } else if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
    const names = (error.schema as AnySchemaObject[]).map(
      (branch) => branch.title ?? (branch.required as string[] | undefined)?.join(' + ') ?? '?'
    )
    const several = error.keyword === 'oneOf' && Array.isArray(params.passingSchemas)
    message = `must have ${several ? 'only one' : 'one'} of: ${names.join(', ')}`
  }
  return { code: 'E_PACK_SCHEMA', path, message }
}
