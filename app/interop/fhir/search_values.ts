import { DATE_PREFIXES, parseDateRange, type DatePrefix } from '#interop/fhir/search_dates'
import { SearchError } from '#interop/fhir/search_error'
import {
  RESOURCE_ID_PATTERN,
  normaliseSearchText,
  parseReference,
} from '#interop/fhir/search_normalise'

/**
 * How a string value matches (https://hl7.org/fhir/R4/search.html#string).
 * `startsWith` and `contains` compare `text` with `IndexEntry.value` (both
 * normalised); `exact` compares the raw `text` with `IndexEntry.display`.
 */
export const STRING_MATCHES = {
  startsWith: 'the value starts with the text, case and accents ignored (the default)',
  contains: 'the value contains the text anywhere, case and accents ignored (:contains)',
  exact: 'the value is the text, case and accents significant (:exact)',
} as const

export type StringMatch = keyof typeof STRING_MATCHES

/**
 * `code` leaves `system` undefined (any system); `|code` sets it to `null`
 * (no system); `system|` leaves `code` undefined (any code).
 * https://hl7.org/fhir/R4/search.html#token
 */
export interface TokenSearchValue {
  system?: string | null
  code?: string
}

export interface StringSearchValue {
  match: StringMatch
  text: string
}

/** The parameter's own range (UTC instants, inclusive), compared per `dateRangeMatches`. */
export interface DateSearchValue {
  prefix: DatePrefix
  start: string
  end: string
}

/** Compared for equality with `ReferenceIndexEntry.reference`. */
export interface ReferenceSearchValue {
  reference: string
}

/** More alternatives than this in one parameter is a runaway client, not a search. */
export const MAX_VALUES_PER_PARAMETER = 100

/**
 * Splits a value on separators that are not escaped with `\`, keeping the
 * escapes for `unescapeSearchValue` (https://hl7.org/fhir/R4/search.html#escaping).
 */
export function splitSearchValue(value: string, separator: ',' | '|'): string[] {
  const parts: string[] = []
  let current = ''
  for (let index = 0; index < value.length; index++) {
    const char = value[index]
    if (char === '\\' && index + 1 < value.length) {
      current += char + value[index + 1]
      index++
    } else if (char === separator) {
      parts.push(current)
      current = ''
    } else {
      current += char
    }
  }
  parts.push(current)
  return parts
}

export function unescapeSearchValue(text: string): string {
  return text.replace(/\\([\\,|$])/g, '$1')
}

/** `[system]|[code]`, `|[code]`, `[system]|` or `[code]`, comma-separated alternatives. */
export function parseTokenValues(parameter: string, value: string): TokenSearchValue[] {
  return alternatives(parameter, value).map((piece) => {
    const parts = splitSearchValue(piece, '|').map(unescapeSearchValue)
    if (parts.length === 1) {
      return { code: parts[0] }
    }
    const [system, code] = parts
    if (parts.length > 2 || (system === '' && code === '')) {
      throw new SearchError(
        'invalid-value',
        parameter,
        `${parameter}: "${piece}" is not a token; use code, system|code, |code or system|`
      )
    }
    if (code === '') {
      return { system }
    }
    return { system: system === '' ? null : system, code }
  })
}

export function parseStringValues(
  parameter: string,
  value: string,
  match: StringMatch
): StringSearchValue[] {
  return alternatives(parameter, value).map((piece) => {
    const raw = unescapeSearchValue(piece)
    const text = match === 'exact' ? raw : normaliseSearchText(raw)
    if (text === '') {
      throw new SearchError('invalid-value', parameter, `${parameter}: a value cannot be blank`)
    }
    return { match, text }
  })
}

/**
 * `[prefix][date]` where the date has the precision the client means
 * (`ge2013`, `eq2013-01-14`, `lt2013-01-14T10:00:00Z`). A `+` of a time zone
 * that arrived as a space (an unencoded `+` in a URL) is read back as `+`.
 */
export function parseDateValues(parameter: string, value: string): DateSearchValue[] {
  return alternatives(parameter, value).map((piece) => {
    const prefixText = /^[a-z]{2}/.exec(piece)?.[0]
    if (prefixText !== undefined && !Object.hasOwn(DATE_PREFIXES, prefixText)) {
      const known = Object.keys(DATE_PREFIXES).join(', ')
      throw new SearchError(
        prefixText === 'ap' ? 'unsupported-value' : 'invalid-date',
        parameter,
        `${parameter}: prefix "${prefixText}" is not supported; use one of ${known}`
      )
    }
    const prefix = (prefixText ?? 'eq') as DatePrefix
    const dateText = piece.slice(prefixText?.length ?? 0).replace(/ (\d{2}:\d{2})$/, '+$1')
    const range = parseDateRange(dateText)
    if (!range) {
      throw new SearchError(
        'invalid-date',
        parameter,
        `${parameter}: "${dateText}" is not a date; use YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z|+hh:mm]`
      )
    }
    return { prefix, ...range }
  })
}

/**
 * `Type/id`, a bare `id` (then each of the parameter's target types, or the
 * `:Type` modifier's), an absolute URL (its `Type/id`, and the URL itself for
 * references stored as written) or a URN.
 * https://hl7.org/fhir/R4/search.html#reference
 */
export function parseReferenceValues(
  parameter: string,
  value: string,
  targets: readonly string[] | 'any',
  typeModifier?: string
): ReferenceSearchValue[] {
  return alternatives(parameter, value).flatMap((piece) => {
    const text = unescapeSearchValue(piece)
    const parsed = parseReference(text)
    if (parsed?.form === 'urn') {
      return [{ reference: parsed.reference }]
    }
    if (parsed) {
      checkTargetType(parameter, parsed.type, targets, typeModifier)
      return parsed.form === 'absolute'
        ? [{ reference: parsed.reference }, { reference: parsed.url }]
        : [{ reference: parsed.reference }]
    }
    if (!RESOURCE_ID_PATTERN.test(text)) {
      throw new SearchError(
        'invalid-value',
        parameter,
        `${parameter}: "${text}" is not a reference; use Type/id or id`
      )
    }
    const types = typeModifier === undefined ? targets : [typeModifier]
    if (types === 'any') {
      throw new SearchError(
        'invalid-value',
        parameter,
        `${parameter} can refer to any type: write Type/${text} or ${parameter}:Type=${text}`
      )
    }
    return types.map((type) => ({ reference: `${type}/${text}` }))
  })
}

function checkTargetType(
  parameter: string,
  type: string,
  targets: readonly string[] | 'any',
  typeModifier?: string
) {
  if (typeModifier !== undefined && type !== typeModifier) {
    throw new SearchError(
      'invalid-value',
      parameter,
      `${parameter}: ${type} does not match the :${typeModifier} modifier`
    )
  }
  if (targets !== 'any' && !targets.includes(type)) {
    throw new SearchError(
      'invalid-value',
      parameter,
      `${parameter} refers to ${targets.join(' or ')}, not ${type}`
    )
  }
}

function alternatives(parameter: string, value: string): string[] {
  const pieces = splitSearchValue(value, ',')
  if (pieces.length > MAX_VALUES_PER_PARAMETER) {
    throw new SearchError(
      'invalid-value',
      parameter,
      `${parameter}: at most ${MAX_VALUES_PER_PARAMETER} comma-separated values`
    )
  }
  if (pieces.some((piece) => piece === '')) {
    throw new SearchError('invalid-value', parameter, `${parameter}: an empty value between commas`)
  }
  return pieces
}
