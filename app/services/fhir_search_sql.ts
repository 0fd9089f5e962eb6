import type { DatePrefix } from '#interop/fhir/search_dates'
import type { IndexEntry } from '#interop/fhir/search_parameters'
import type {
  SearchFilter,
  SearchSort,
  StringSearchValue,
  TokenSearchValue,
} from '#interop/fhir/search_query'

/**
 * A piece of SQL with `?` placeholders and their values, in order. Every
 * value a client sends travels as a binding, never as SQL text.
 */
export interface SqlFragment {
  sql: string
  bindings: (string | number)[]
}

/** Width of the text columns of `fhir_search_index` (its migration). */
export const INDEX_TEXT_LENGTH = 255

/**
 * Searched on `fhir_resources` columns rather than index rows: every
 * resource has exactly one id and one lastUpdated.
 */
export const COLUMN_PARAMETERS = new Set(['_id', '_lastUpdated'])

export interface IndexRow {
  resource_type: string
  resource_id: string
  param: string
  kind: IndexEntry['kind']
  system: string | null
  value: string | null
  display: string | null
  start_at: string | null
  end_at: string | null
  reference: string | null
}

/**
 * Cuts text to the index column width, in code points (MySQL counts
 * characters, and a surrogate pair must not be split). Index values and
 * search values go through this alike, so an equality or prefix match on a
 * long value is never missed; it may match a value that differs only after
 * the cut.
 */
export function indexText(text: string): string
export function indexText(text: string | null): string | null
export function indexText(text: string | null): string | null {
  if (text === null || text.length <= INDEX_TEXT_LENGTH) {
    return text
  }
  return Array.from(text).slice(0, INDEX_TEXT_LENGTH).join('')
}

/** The `fhir_search_index` rows of one resource version. */
export function indexRows(type: string, id: string, entries: IndexEntry[]): IndexRow[] {
  return entries
    .filter((entry) => !COLUMN_PARAMETERS.has(entry.param))
    .map((entry) => indexRow(type, id, entry))
}

function indexRow(type: string, id: string, entry: IndexEntry): IndexRow {
  const row: IndexRow = {
    resource_type: type,
    resource_id: id,
    param: entry.param,
    kind: entry.kind,
    system: null,
    value: null,
    display: null,
    start_at: null,
    end_at: null,
    reference: null,
  }
  switch (entry.kind) {
    case 'token':
      return { ...row, system: indexText(entry.system), value: indexText(entry.value) }
    case 'string':
      return { ...row, value: indexText(entry.value), display: indexText(entry.display) }
    case 'date':
      return { ...row, start_at: entry.start, end_at: entry.end }
    case 'reference':
      return { ...row, reference: indexText(entry.reference) }
    default:
      return entry satisfies never
  }
}

/**
 * One filter of a search as a condition on `fhir_resources r`: an EXISTS
 * over the index rows of the parameter, its values OR-ed (the filters of a
 * query are AND-ed by the caller). https://hl7.org/fhir/R4/search.html#combining
 */
export function filterSql(type: string, filter: SearchFilter): SqlFragment {
  const alternatives = or(valueConditions(filter))
  if (COLUMN_PARAMETERS.has(filter.param)) {
    return alternatives
  }
  /*
   * An uncorrelated IN lets SQLite and MySQL start from the index rows that
   * match (through the (resource_type, param, value|reference|start_at)
   * indexes) instead of testing every resource of the type.
   */
  return {
    sql: `r.id IN (SELECT i.resource_id FROM fhir_search_index i WHERE i.resource_type = ? AND i.param = ? AND ${alternatives.sql})`,
    bindings: [type, filter.param, ...alternatives.bindings],
  }
}

function valueConditions(filter: SearchFilter): SqlFragment[] {
  switch (filter.kind) {
    case 'token':
      return filter.values.map((value) =>
        filter.param === '_id' ? idCondition(value) : tokenCondition(value)
      )
    case 'string':
      return filter.values.map(stringCondition)
    case 'date':
      return filter.values.map(({ prefix, start, end }) =>
        filter.param === '_lastUpdated'
          ? dateCondition(
              prefix,
              'r.last_updated',
              'r.last_updated',
              Date.parse(start),
              Date.parse(end)
            )
          : dateCondition(prefix, 'i.start_at', 'i.end_at', start, end)
      )
    case 'reference':
      return filter.values.map(({ reference }) => ({
        sql: 'i.reference = ?',
        bindings: [indexText(reference)],
      }))
    default:
      return filter satisfies never
  }
}

/** `code`, `|code` (no system), `system|code` and `system|` (any code). */
function tokenCondition({ system, code }: TokenSearchValue): SqlFragment {
  const parts: SqlFragment[] = []
  if (system === null) {
    parts.push({ sql: 'i.system IS NULL', bindings: [] })
  } else if (system !== undefined) {
    parts.push({ sql: 'i.system = ?', bindings: [indexText(system)] })
  }
  if (code !== undefined) {
    parts.push({ sql: 'i.value = ?', bindings: [indexText(code)] })
  }
  return and(parts)
}

/** A resource id has no code system: `_id=x` and `_id=|x` match it, `_id=s|x` nothing. */
function idCondition({ system, code }: TokenSearchValue): SqlFragment {
  if ((system !== undefined && system !== null) || code === undefined) {
    return { sql: '1 = 0', bindings: [] }
  }
  return { sql: 'r.id = ?', bindings: [code] }
}

/**
 * `startsWith` and `contains` compare the normalised `value` with LIKE, the
 * client's `%`, `_` and `!` escaped with `!`: a backslash would need writing
 * differently in MySQL and SQLite string literals. `exact` compares `display`.
 * https://hl7.org/fhir/R4/search.html#string
 */
function stringCondition({ match, text }: StringSearchValue): SqlFragment {
  const cut = indexText(text)
  switch (match) {
    case 'exact':
      return { sql: 'i.display = ?', bindings: [cut] }
    case 'startsWith':
      return { sql: "i.value LIKE ? ESCAPE '!'", bindings: [`${escapeLike(cut)}%`] }
    case 'contains':
      return { sql: "i.value LIKE ? ESCAPE '!'", bindings: [`%${escapeLike(cut)}%`] }
    default:
      return match satisfies never
  }
}

export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (char) => `!${char}`)
}

/**
 * The SQL twin of `dateRangeMatches` (search_dates.ts), clause for clause,
 * over the columns holding a value's range (`NULL` ends are open) and the
 * parameter's range `ps..pe`. https://hl7.org/fhir/R4/search.html#prefix
 */
export function dateCondition<T extends string | number>(
  prefix: DatePrefix,
  start: string,
  end: string,
  ps: T,
  pe: T
): SqlFragment {
  const startsBefore = `(${start} IS NULL OR ${start} < ?)`
  const endsAfter = `(${end} IS NULL OR ${end} > ?)`
  const within = `(${start} IS NOT NULL AND ${end} IS NOT NULL AND ${start} >= ? AND ${end} <= ?)`
  switch (prefix) {
    case 'eq':
      return { sql: within, bindings: [ps, pe] }
    case 'ne':
      return { sql: `NOT ${within}`, bindings: [ps, pe] }
    case 'lt':
      return { sql: startsBefore, bindings: [ps] }
    case 'gt':
      return { sql: endsAfter, bindings: [pe] }
    case 'le':
      return {
        sql: `(${startsBefore} OR (${end} IS NOT NULL AND ${end} <= ?))`,
        bindings: [ps, pe],
      }
    case 'ge':
      return {
        sql: `(${endsAfter} OR (${start} IS NOT NULL AND ${start} >= ?))`,
        bindings: [pe, ps],
      }
    case 'sa':
      return { sql: `(${start} IS NOT NULL AND ${start} > ?)`, bindings: [pe] }
    case 'eb':
      return { sql: `(${end} IS NOT NULL AND ${end} < ?)`, bindings: [ps] }
    default:
      return prefix satisfies never
  }
}

/**
 * ORDER BY terms for one sort key: a resource's least value ascending, its
 * greatest descending (an open start counts as the earliest, an open end as
 * the latest), and resources without the parameter after all others either way.
 * https://hl7.org/fhir/R4/search.html#_sort
 */
export function sortSql({ param, kind, descending }: SearchSort): SqlFragment[] {
  const direction = descending ? 'DESC' : 'ASC'
  if (param === '_id') {
    return [{ sql: `r.id ${direction}`, bindings: [] }]
  }
  if (param === '_lastUpdated') {
    return [{ sql: `r.last_updated ${direction}`, bindings: [] }]
  }
  const dateColumn = descending ? "COALESCE(i.end_at, '9999')" : "COALESCE(i.start_at, '0000')"
  const column = kind === 'date' ? dateColumn : 'i.value'
  const key = `(SELECT ${descending ? 'MAX' : 'MIN'}(${column}) FROM fhir_search_index i WHERE i.resource_type = r.resource_type AND i.resource_id = r.id AND i.param = ?)`
  return [
    { sql: `CASE WHEN ${key} IS NULL THEN 1 ELSE 0 END`, bindings: [param] },
    { sql: `${key} ${direction}`, bindings: [param] },
  ]
}

function or(parts: SqlFragment[]): SqlFragment {
  return join(parts, ' OR ', '1 = 0')
}

function and(parts: SqlFragment[]): SqlFragment {
  return join(parts, ' AND ', '1 = 1')
}

function join(parts: SqlFragment[], separator: string, empty: string): SqlFragment {
  if (parts.length === 0) {
    return { sql: empty, bindings: [] }
  }
  return {
    sql: `(${parts.map((part) => part.sql).join(separator)})`,
    bindings: parts.flatMap((part) => part.bindings),
  }
}
