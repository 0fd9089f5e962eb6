import { FhirError, outcomeIssue } from '#interop/fhir/fhir_error'

/**
 * FHIR resources nest a dozen levels at most (a contained resource's backbone element's
 * extension's value). Far deeper input is an attack on the recursive code downstream:
 * `JSON.parse` with a reviver overflows the stack near 10,000 levels.
 */
export const MAX_JSON_DEPTH = 64

export interface ParsedFhirJson {
  /** Plain `JSON.parse` result: numbers are numbers. Validate and index this one. */
  resource: unknown
  /**
   * The same document with every number whose text a JavaScript number would not give back
   * (`1.30`, `66.899999999999991`) kept as `JSON.rawJSON` text. Store and serve this one,
   * through `JSON.stringify` only (a structured clone loses the raw texts).
   */
  preserved: unknown
}

/** The JSON.parse source text access proposal (Node 24), not yet in TypeScript's lib. */
interface JsonSourceText {
  parse(
    text: string,
    reviver: (key: string, value: unknown, context: { source?: string }) => unknown
  ): unknown
  rawJSON(text: string): unknown
}

const json = JSON as unknown as JsonSourceText

/**
 * Parses a FHIR JSON body. Decimals keep their exact text because FHIR gives the precision
 * of a decimal meaning (`1.30` is not `1.3`): the preserved copy serialises them unchanged.
 * Malformed JSON and nesting past `maxDepth` are refused with 400 before anything recurses.
 * @see https://hl7.org/fhir/R4/json.html#primitive
 * @see https://hl7.org/fhir/R4/datatypes.html#decimal
 */
export function parseFhirJson(text: string, maxDepth = MAX_JSON_DEPTH): ParsedFhirJson {
  // RFC 8259 lets a parser ignore a byte order mark; some Windows clients send one.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  assertJsonDepth(body, maxDepth)
  try {
    const resource: unknown = JSON.parse(body)
    const preserved = json.parse(body, (_key, value, context) =>
      typeof value === 'number' && context.source !== undefined && context.source !== String(value)
        ? json.rawJSON(context.source)
        : value
    )
    return { resource, preserved }
  } catch (error) {
    throw new FhirError('E_FHIR_MALFORMED_JSON', [
      outcomeIssue('structure', `The body is not valid JSON: ${(error as Error).message}`),
    ])
  }
}

/**
 * Refuses JSON text that nests objects and arrays deeper than `maxDepth`, scanning the text
 * without recursion so that no input can exhaust the stack.
 * @see https://hl7.org/fhir/R4/json.html
 */
export function assertJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c /* \ */) {
        i++
      } else if (c === 0x22 /* " */) {
        inString = false
      }
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++
      if (depth > maxDepth) {
        throw new FhirError('E_FHIR_TOO_DEEP', [
          outcomeIssue(
            'too-costly',
            `The JSON nests deeper than ${maxDepth} levels (at position ${i}); no FHIR resource does`
          ),
        ])
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--
    }
  }
}

/**
 * Returns a copy of a preserved resource with top-level properties set, replaced or (with
 * `undefined`) removed, ordered as the specification writes them: `resourceType`, then the
 * given properties (typically `id` and `meta`), then the rest in their original order.
 * Nested values, raw decimals included, are shared, not copied.
 * @see https://hl7.org/fhir/R4/json.html#resources
 */
export function withTopLevel(
  preserved: unknown,
  properties: Record<string, unknown>
): Record<string, unknown> {
  if (preserved === null || typeof preserved !== 'object' || Array.isArray(preserved)) {
    throw FhirError.badRequest('The body is not a JSON object')
  }
  const source = preserved as Record<string, unknown>
  // Object.fromEntries defines properties, so a "__proto__" key stays data, never a prototype.
  const entries: [string, unknown][] = []
  if (Object.hasOwn(source, 'resourceType')) {
    entries.push(['resourceType', source.resourceType])
  }
  for (const [key, value] of Object.entries(properties)) {
    if (value !== undefined) {
      entries.push([key, value])
    }
  }
  for (const [key, value] of Object.entries(source)) {
    if (key !== 'resourceType' && !Object.hasOwn(properties, key)) {
      entries.push([key, value])
    }
  }
  return Object.fromEntries(entries)
}
