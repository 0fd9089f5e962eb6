import { SearchError } from '#interop/fhir/search_error'
import { RESOURCE_TYPE_PATTERN } from '#interop/fhir/search_normalise'
import {
  SEARCH_PARAMETERS,
  isSearchableType,
  searchParameter,
  type SearchParamDefinition,
  type SearchableType,
} from '#interop/fhir/search_parameters'
import {
  DEFAULT_COUNT,
  RESULT_PARAMETERS,
  parseCount,
  parseInclude,
  parseOffset,
  parseSort,
  parseSummary,
  parseTotal,
  type ResultParameter,
  type SearchInclude,
  type SearchSort,
} from '#interop/fhir/search_result_parameters'
import {
  parseDateValues,
  parseReferenceValues,
  parseStringValues,
  parseTokenValues,
  type DateSearchValue,
  type ReferenceSearchValue,
  type StringSearchValue,
  type TokenSearchValue,
} from '#interop/fhir/search_values'

export type { SearchInclude, SearchSort } from '#interop/fhir/search_result_parameters'
export type {
  DateSearchValue,
  ReferenceSearchValue,
  StringSearchValue,
  TokenSearchValue,
} from '#interop/fhir/search_values'

/**
 * One search parameter as sent: its values are alternatives (OR); the
 * filters of a query must all hold (AND), so `date=ge2020&date=lt2021` is two
 * filters. https://hl7.org/fhir/R4/search.html#combining
 */
export type SearchFilter =
  | { param: string; kind: 'token'; values: TokenSearchValue[] }
  | { param: string; kind: 'string'; modifier?: 'exact' | 'contains'; values: StringSearchValue[] }
  | { param: string; kind: 'date'; values: DateSearchValue[] }
  | {
      param: string
      kind: 'reference'
      /** The `:Type` modifier, already applied to `values`. */
      modifier?: string
      values: ReferenceSearchValue[]
    }

export interface SearchQuery {
  type: SearchableType
  filters: SearchFilter[]
  count: number
  offset: number
  sort: SearchSort[]
  include: SearchInclude[]
  /** `_total`; `estimate` is served as `accurate`. Absent: the server's default. */
  total?: 'none' | 'accurate'
  /** `_summary=count`: the total only, no entries. */
  summary?: 'count'
}

/**
 * Accepted and ignored: `_format` and `_pretty` belong to the HTTP layer;
 * `_elements` may be ignored because a server may return more than asked
 * (https://hl7.org/fhir/R4/search.html#elements).
 */
export const IGNORED_PARAMETERS = { _format: true, _pretty: true, _elements: true } as const

/** Parameters the specification defines that Outpost refuses rather than ignores. */
export const UNSUPPORTED_PARAMETERS = [
  '_revinclude',
  '_has',
  '_tag',
  '_profile',
  '_security',
  '_source',
  '_text',
  '_content',
  '_list',
  '_query',
  '_filter',
  '_contained',
  '_containedType',
  '_type',
] as const

/**
 * Parses the query of `GET [base]/[type]?...` (pairs in order, repeats kept,
 * as `URLSearchParams` gives them) into a validated `SearchQuery`. Unknown or
 * unsupported parameters, modifiers and values throw `SearchError`. An empty
 * value (`name=`, a search form's blank field) drops that parameter, once
 * its name and modifier have been checked.
 * https://hl7.org/fhir/R4/search.html
 */
export function parseSearchQuery(
  type: string,
  parameters: Iterable<readonly [string, string]>
): SearchQuery {
  if (!isSearchableType(type)) {
    throw new SearchError('unknown-type', '', `Resource type "${type}" cannot be searched here`)
  }
  const query: SearchQuery = {
    type,
    filters: [],
    count: DEFAULT_COUNT,
    offset: 0,
    sort: [],
    include: [],
  }
  const seen = new Set<string>()

  for (const [rawName, value] of parameters) {
    const [name, ...modifiers] = rawName.split(':')
    const modifier = modifiers.length > 0 ? modifiers.join(':') : undefined
    if (Object.hasOwn(IGNORED_PARAMETERS, name)) {
      continue
    }
    if (rawName.includes('.') || (UNSUPPORTED_PARAMETERS as readonly string[]).includes(name)) {
      const what = rawName.includes('.') ? 'Chained search' : `The ${name} parameter`
      throw new SearchError('unsupported-parameter', rawName, `${what} is not supported`)
    }
    if (Object.hasOwn(RESULT_PARAMETERS, name)) {
      if (modifier !== undefined) {
        throw new SearchError('unsupported-modifier', rawName, `${name} takes no modifier`)
      }
      if (name !== '_include' && seen.has(name)) {
        throw new SearchError('repeated-parameter', name, `${name} may appear only once`)
      }
      seen.add(name)
      if (value !== '') {
        applyResultParameter(query, name as ResultParameter, value)
      }
      continue
    }
    const definition = searchParameter(type, name)
    if (!definition) {
      const known = Object.keys(SEARCH_PARAMETERS[type]).join(', ')
      throw new SearchError(
        'unknown-parameter',
        rawName,
        `Unknown search parameter "${name}" for ${type}; known: ${known}`
      )
    }
    const filter = parseFilter(rawName, name, modifier, definition, value)
    if (value !== '') {
      query.filters.push(filter())
    }
  }
  return query
}

/**
 * Checks the modifier at once (an unsupported one is refused even with an
 * empty value) and returns how to parse the value.
 */
function parseFilter(
  rawName: string,
  param: string,
  modifier: string | undefined,
  definition: SearchParamDefinition,
  value: string
): () => SearchFilter {
  const refuse = (allowed: string) =>
    new SearchError(
      'unsupported-modifier',
      rawName,
      `Modifier :${modifier} is not supported on ${param} (${allowed})`
    )
  switch (definition.kind) {
    case 'token':
      if (modifier !== undefined) throw refuse('no modifiers')
      return () => ({ param, kind: 'token', values: parseTokenValues(rawName, value) })
    case 'date':
      if (modifier !== undefined) throw refuse('no modifiers; use prefixes such as ge, lt')
      return () => ({ param, kind: 'date', values: parseDateValues(rawName, value) })
    case 'string': {
      if (modifier !== undefined && modifier !== 'exact' && modifier !== 'contains') {
        throw refuse(':exact and :contains')
      }
      const match = modifier ?? 'startsWith'
      const values = () => parseStringValues(rawName, value, match)
      return () =>
        modifier === undefined
          ? { param, kind: 'string', values: values() }
          : { param, kind: 'string', modifier, values: values() }
    }
    case 'reference': {
      if (modifier !== undefined && !RESOURCE_TYPE_PATTERN.test(modifier)) {
        throw refuse('a resource type, as :Patient')
      }
      const { targets } = definition
      if (modifier !== undefined && targets !== 'any' && !targets.includes(modifier)) {
        throw new SearchError(
          'invalid-value',
          rawName,
          `${param} refers to ${targets.join(' or ')}, not ${modifier}`
        )
      }
      const values = () => parseReferenceValues(rawName, value, targets, modifier)
      return () =>
        modifier === undefined
          ? { param, kind: 'reference', values: values() }
          : { param, kind: 'reference', modifier, values: values() }
    }
    default:
      return definition satisfies never
  }
}

function applyResultParameter(query: SearchQuery, name: ResultParameter, value: string) {
  switch (name) {
    case '_count':
      query.count = parseCount(value)
      return
    case '_offset':
      query.offset = parseOffset(value)
      return
    case '_sort':
      query.sort = parseSort(query.type, value)
      return
    case '_include': {
      const include = parseInclude(query.type, value)
      const duplicate = query.include.some(
        (other) => other.param === include.param && other.targetType === include.targetType
      )
      if (!duplicate) {
        query.include.push(include)
      }
      return
    }
    case '_total':
      query.total = parseTotal(value)
      return
    case '_summary': {
      const summary = parseSummary(value)
      if (summary) {
        query.summary = summary
      }
      return
    }
    default:
      return name satisfies never
  }
}
