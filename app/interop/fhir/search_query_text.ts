import type { SearchFilter, SearchQuery } from '#interop/fhir/search_query'
import { parseDateRange } from '#interop/fhir/search_dates'
import type { DateSearchValue, TokenSearchValue } from '#interop/fhir/search_values'

/**
 * A parsed search written back as the query string of `GET [base]/[type]?`,
 * for a node that searches another server (the portal asking the iCDR).
 * Parsing normalised the values (string text, date ranges); what is written
 * here selects the same resources on a server that parses it the same way.
 * https://hl7.org/fhir/R4/search.html
 */
export function searchQueryText(query: SearchQuery): URLSearchParams {
  const text = new URLSearchParams()
  for (const filter of query.filters) {
    for (const [name, value] of filterPairs(filter)) {
      text.append(name, value)
    }
  }
  if (query.sort.length > 0) {
    text.set('_sort', query.sort.map((key) => `${key.descending ? '-' : ''}${key.param}`).join(','))
  }
  for (const include of query.include) {
    text.append(
      '_include',
      [include.sourceType, include.param, include.targetType].filter(Boolean).join(':')
    )
  }
  text.set('_count', String(query.count))
  if (query.offset > 0) {
    text.set('_offset', String(query.offset))
  }
  if (query.total) {
    text.set('_total', query.total)
  }
  if (query.summary) {
    text.set('_summary', query.summary)
  }
  return text
}

function filterPairs(filter: SearchFilter): [string, string][] {
  switch (filter.kind) {
    case 'token':
      return [[filter.param, filter.values.map(tokenText).join(',')]]
    case 'string': {
      const modifier = filter.modifier ? `:${filter.modifier}` : ''
      return [
        [`${filter.param}${modifier}`, filter.values.map((value) => escape(value.text)).join(',')],
      ]
    }
    case 'reference':
      return [[filter.param, filter.values.map((value) => escape(value.reference)).join(',')]]
    case 'date':
      return filter.values.length === 1 && !precisionText(filter.values[0])
        ? rangePairs(filter.param, filter.values[0])
        : [[filter.param, filter.values.map(dateText).join(',')]]
    default:
      throw new Error(`Unknown search filter ${(filter satisfies never as SearchFilter).kind}`)
  }
}

/** `system|code`, `|code` (no system), `code` (any system), `system|` (any code). */
function tokenText(value: TokenSearchValue) {
  const code = escape(value.code ?? '')
  if (value.system === undefined) {
    return code
  }
  return `${value.system === null ? '' : escape(value.system)}|${code}`
}

/**
 * A date written at the precision it was given (`2024`, `2024-05`, `2024-05-01`,
 * `2024-05-01T10:00:00Z`), which the parser turns back into the same range;
 * other ranges by the instant each prefix compares.
 */
function dateText(value: DateSearchValue) {
  const text = precisionText(value)
  if (text) {
    return `${value.prefix}${text}`
  }
  return `${value.prefix}${['ge', 'lt', 'eb', 'eq', 'ne'].includes(value.prefix) ? value.start : value.end}`
}

/** `eq` over a range no single precision covers: both ends, as two parameters that must both hold. */
function rangePairs(param: string, value: DateSearchValue): [string, string][] {
  if (value.prefix === 'eq' && value.start !== value.end) {
    return [
      [param, `ge${value.start}`],
      [param, `le${value.end}`],
    ]
  }
  return [[param, dateText(value)]]
}

function precisionText(value: DateSearchValue) {
  const { start, end } = value
  const candidates = [
    start.slice(0, 4),
    start.slice(0, 7),
    start.slice(0, 10),
    `${start.slice(0, 19)}Z`,
  ]
  return (
    candidates.find((candidate) => {
      const range = parseDateRange(candidate)
      return range?.start === start && range.end === end
    }) ?? null
  )
}

/** Separators inside a value are escaped with `\` (https://hl7.org/fhir/R4/search.html#escaping). */
function escape(value: string) {
  return value.replace(/[\\,|$]/g, (character) => `\\${character}`)
}
