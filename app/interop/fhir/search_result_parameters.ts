import { SearchError } from '#interop/fhir/search_error'
import { RESOURCE_TYPE_PATTERN } from '#interop/fhir/search_normalise'
import {
  searchParameter,
  type SearchParamKind,
  type SearchableType,
} from '#interop/fhir/search_parameters'

/**
 * One sort key. Parameters repeat in a resource (several names, several
 * dates), so the store sorts by the least value ascending and the greatest
 * descending. https://hl7.org/fhir/R4/search.html#_sort
 */
export interface SearchSort {
  param: string
  kind: Exclude<SearchParamKind, 'reference'>
  descending: boolean
}

/** `_include=Source:param[:Target]` (https://hl7.org/fhir/R4/search.html#include). */
export interface SearchInclude {
  sourceType: SearchableType
  param: string
  targetType?: string
}

export const DEFAULT_COUNT = 20
export const MAX_COUNT = 1000

/**
 * Result parameters this server implements
 * (https://hl7.org/fhir/R4/search.html#return). Paging is by `_offset`, which
 * the store writes into the Bundle's `next`/`previous` links.
 */
export const RESULT_PARAMETERS = {
  _count: 'page size: a whole number, 20 when absent, capped at 1000',
  _offset: 'how many matches to skip: paging links carry it',
  _sort: 'comma-separated parameters, `-` first for descending',
  _include: 'Source:param[:Target] for a reference parameter of the searched type; may repeat',
  _total: 'none, estimate (served as accurate) or accurate',
  _summary: 'count (the total only) or false (the default)',
} as const

export type ResultParameter = keyof typeof RESULT_PARAMETERS

/**
 * `_count`: a server may return fewer than asked, so a large count is capped
 * rather than refused. https://hl7.org/fhir/R4/search.html#count
 */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new SearchError(
      'invalid-count',
      '_count',
      `_count must be a whole number, not "${value}"`
    )
  }
  return Math.min(Number(value), MAX_COUNT)
}

export function parseOffset(value: string): number {
  if (!/^\d{1,15}$/.test(value)) {
    throw new SearchError(
      'invalid-offset',
      '_offset',
      `_offset must be a whole number, not "${value}"`
    )
  }
  return Number(value)
}

/** `_sort=-date,_lastUpdated` (https://hl7.org/fhir/R4/search.html#_sort). */
export function parseSort(type: SearchableType, value: string): SearchSort[] {
  return value.split(',').map((item) => {
    const descending = item.startsWith('-')
    const param = descending ? item.slice(1) : item
    const definition = searchParameter(type, param)
    if (!definition) {
      throw new SearchError(
        'invalid-sort',
        '_sort',
        `Cannot sort ${type} by unknown parameter "${param}"`
      )
    }
    if (definition.kind === 'reference') {
      throw new SearchError(
        'invalid-sort',
        '_sort',
        `Cannot sort by the reference parameter ${param}`
      )
    }
    return { param, kind: definition.kind, descending }
  })
}

/**
 * `_include=Immunization:patient`, `_include=Observation:subject:Patient`.
 * Only reference parameters of the searched type: following includes of
 * includes (`:iterate`) is refused as a modifier by the caller.
 * https://hl7.org/fhir/R4/search.html#include
 */
export function parseInclude(type: SearchableType, value: string): SearchInclude {
  if (value === '*') {
    throw new SearchError(
      'unsupported-value',
      '_include',
      '_include=* is not supported; name the parameter'
    )
  }
  const [sourceType, param, targetType, ...rest] = value.split(':')
  const invalid = (why: string) =>
    new SearchError('invalid-include', '_include', `_include=${value}: ${why}`)
  if (param === undefined || rest.length > 0) {
    throw invalid('write Source:param or Source:param:Target')
  }
  if (sourceType !== type) {
    throw invalid(`only parameters of the searched type ${type} can be included`)
  }
  const definition = searchParameter(type, param)
  if (!definition || definition.kind !== 'reference') {
    throw invalid(`${param} is not a reference parameter of ${type}`)
  }
  const { targets } = definition
  if (targetType === undefined) {
    return { sourceType: type, param }
  }
  if (
    !RESOURCE_TYPE_PATTERN.test(targetType) ||
    (targets !== 'any' && !targets.includes(targetType))
  ) {
    throw invalid(`${param} does not refer to ${targetType}`)
  }
  return { sourceType: type, param, targetType }
}

/** https://hl7.org/fhir/R4/search.html#total */
export function parseTotal(value: string): 'none' | 'accurate' {
  if (value !== 'none' && value !== 'estimate' && value !== 'accurate') {
    throw new SearchError(
      'invalid-value',
      '_total',
      `_total is none, estimate or accurate, not "${value}"`
    )
  }
  return value === 'none' ? 'none' : 'accurate'
}

/** Only `count` changes anything; `false` is the default. https://hl7.org/fhir/R4/search.html#summary */
export function parseSummary(value: string): 'count' | undefined {
  if (value !== 'count' && value !== 'false') {
    throw new SearchError(
      'unsupported-value',
      '_summary',
      `_summary=${value} is not supported; use count`
    )
  }
  return value === 'count' ? 'count' : undefined
}
