import { parseDateRange } from '#interop/fhir/search_dates'
import { normaliseSearchText, parseReference } from '#interop/fhir/search_normalise'

/**
 * A coded value: `system|code` of a Coding or CodeableConcept, `system|value`
 * of an Identifier, or a bare `code`/boolean with the code system its binding
 * implies (null when none). https://hl7.org/fhir/R4/search.html#token
 */
export interface TokenIndexEntry {
  param: string
  kind: 'token'
  system: string | null
  value: string | null
}

/**
 * One string part (`family`, one `given`, ...): `value` normalised with
 * `normaliseSearchText` for the default and `:contains` matches, `display`
 * as written for `:exact`. https://hl7.org/fhir/R4/search.html#string
 */
export interface StringIndexEntry {
  param: string
  kind: 'string'
  value: string
  display: string
}

/**
 * The period a date, dateTime, instant or Period covers, as UTC instants
 * (inclusive; `null` ends are open). https://hl7.org/fhir/R4/search.html#date
 */
export interface DateIndexEntry {
  param: string
  kind: 'date'
  start: string | null
  end: string | null
}

/**
 * `Type/id` with the version dropped; absolute URLs (version dropped) and
 * URNs as written. https://hl7.org/fhir/R4/search.html#reference
 */
export interface ReferenceIndexEntry {
  param: string
  kind: 'reference'
  reference: string
}

export type IndexEntry = TokenIndexEntry | StringIndexEntry | DateIndexEntry | ReferenceIndexEntry

type JsonObject = Record<string, unknown>

/**
 * Every value at a dotted path (`name.given`, `recommendation.forecastStatus`),
 * arrays flattened at each step: the navigation part of FHIRPath, which is
 * all our search parameter expressions need.
 */
export function valuesAt(node: unknown, path: string): unknown[] {
  let current: unknown[] = [node]
  for (const key of path.split('.')) {
    const next: unknown[] = []
    for (const item of current) {
      if (!isObject(item) || !Object.hasOwn(item, key)) {
        continue
      }
      const value = item[key]
      if (Array.isArray(value)) {
        next.push(...value)
      } else if (value !== undefined && value !== null) {
        next.push(value)
      }
    }
    current = next
  }
  return current
}

/** Tokens from codes, booleans, Codings, CodeableConcepts and Identifiers. */
export function tokenEntries(
  param: string,
  values: unknown[],
  implicitSystem: string | null
): TokenIndexEntry[] {
  const entries: TokenIndexEntry[] = []
  const add = (system: unknown, code: unknown) => {
    const value = typeof code === 'string' && code !== '' ? code : null
    const codeSystem = typeof system === 'string' && system !== '' ? system : null
    if (value !== null || codeSystem !== null) {
      entries.push({ param, kind: 'token', system: codeSystem, value })
    }
  }
  for (const value of values) {
    if (typeof value === 'string') {
      add(implicitSystem, value)
    } else if (typeof value === 'boolean') {
      add(null, String(value))
    } else if (isObject(value) && Array.isArray(value.coding)) {
      for (const coding of value.coding) {
        if (isObject(coding)) {
          add(coding.system, coding.code)
        }
      }
    } else if (isObject(value)) {
      // A Coding carries `code`, an Identifier `value`; both may have a system.
      add(value.system, value.code ?? value.value)
    }
  }
  return entries
}

/** Strings, and every part of a HumanName (text, family, given, prefix, suffix). */
export function stringEntries(param: string, values: unknown[]): StringIndexEntry[] {
  const entries: StringIndexEntry[] = []
  const add = (text: unknown) => {
    if (typeof text !== 'string') {
      return
    }
    const value = normaliseSearchText(text)
    if (value !== '') {
      entries.push({ param, kind: 'string', value, display: text })
    }
  }
  for (const value of values) {
    if (isObject(value)) {
      for (const part of ['text', 'family', 'given', 'prefix', 'suffix']) {
        valuesAt(value, part).forEach(add)
      }
    } else {
      add(value)
    }
  }
  return entries
}

/** Ranges of date/dateTime/instant strings and of Periods; unreadable dates are skipped. */
export function dateEntries(param: string, values: unknown[]): DateIndexEntry[] {
  const entries: DateIndexEntry[] = []
  for (const value of values) {
    if (typeof value === 'string') {
      const range = parseDateRange(value)
      if (range) {
        entries.push({ param, kind: 'date', ...range })
      }
    } else if (isObject(value)) {
      const start = typeof value.start === 'string' ? parseDateRange(value.start) : null
      const end = typeof value.end === 'string' ? parseDateRange(value.end) : null
      if (start || end) {
        entries.push({ param, kind: 'date', start: start?.start ?? null, end: end?.end ?? null })
      }
    }
  }
  return entries
}

/**
 * Literal references. With `onlyTypes`, only those known (from the URL or
 * `Reference.type`) to point at one of them: `Observation.patient` is
 * `subject.where(resolve() is Patient)`.
 */
export function referenceEntries(
  param: string,
  values: unknown[],
  onlyTypes: readonly string[] | null
): ReferenceIndexEntry[] {
  const entries: ReferenceIndexEntry[] = []
  for (const value of values) {
    if (!isObject(value) || typeof value.reference !== 'string') {
      continue
    }
    const parsed = parseReference(value.reference)
    if (!parsed) {
      continue
    }
    const type = parsed.type ?? (typeof value.type === 'string' ? value.type : null)
    if (onlyTypes && (type === null || !onlyTypes.includes(type))) {
      continue
    }
    const reference = parsed.form === 'absolute' ? parsed.url : parsed.reference
    entries.push({ param, kind: 'reference', reference })
  }
  return entries
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
