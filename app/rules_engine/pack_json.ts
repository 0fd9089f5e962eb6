import { RulePackError, pointer } from '#rules_engine/pack_errors'

/** 2 MB: the largest shipped pack (a z-score table) is a few hundred kB. */
export const DEFAULT_MAX_PACK_BYTES = 2 * 1024 * 1024

/**
 * 32 levels of objects and arrays: room for about a dozen levels of nested all/any
 * conditions. Deeper documents are refused before anything recursive (JSON.parse, ajv,
 * json-rules-engine's Condition constructor) sees them.
 */
export const DEFAULT_MAX_PACK_DEPTH = 32

export interface PackJsonLimits {
  maxBytes: number
  maxDepth: number
}

/**
 * Parses the JSON text of a pack: the size limit first, then the nesting depth (scanned
 * without recursion, so no input can exhaust the stack), then `JSON.parse`.
 * @see https://www.rfc-editor.org/rfc/rfc8259
 */
export function parsePackJson(text: string, limits: PackJsonLimits): unknown {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > limits.maxBytes) {
    throw RulePackError.of(
      'E_PACK_TOO_LARGE',
      '',
      `The pack is ${bytes} bytes, more than the limit of ${limits.maxBytes} bytes`
    )
  }
  // RFC 8259 lets a parser ignore a byte order mark; editors on Windows write one.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  assertPackDepth(body, limits.maxDepth)
  try {
    return JSON.parse(body)
  } catch (error) {
    throw RulePackError.of('E_PACK_JSON', '', `Not valid JSON: ${(error as Error).message}`)
  }
}

interface Frame {
  array: boolean
  token: string | number
}

/**
 * Refuses JSON text nesting objects and arrays deeper than `maxDepth`, naming the JSON
 * Pointer of the first container too deep. Iterative: its own stack never grows past
 * `maxDepth` frames. Malformed text is left for `JSON.parse` to describe.
 * @see https://www.rfc-editor.org/rfc/rfc6901
 */
export function assertPackDepth(text: string, maxDepth: number): void {
  const frames: Frame[] = []
  let stringStart = -1
  let lastString = ''
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (stringStart >= 0) {
      if (c === 0x5c /* \ */) {
        i++
      } else if (c === 0x22 /* " */) {
        lastString = text.slice(stringStart, i + 1)
        stringStart = -1
      }
      continue
    }
    const frame = frames.at(-1)
    if (c === 0x22) {
      stringStart = i
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (frames.length >= maxDepth) {
        const at = frames.reduce((path, f) => pointer(path, f.token), '')
        throw RulePackError.of(
          'E_PACK_TOO_DEEP',
          at,
          `Objects and arrays nest deeper than ${maxDepth} levels here; flatten the conditions`
        )
      }
      frames.push({ array: c === 0x5b, token: c === 0x5b ? 0 : '' })
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop()
    } else if (c === 0x3a /* : */ && frame && !frame.array) {
      frame.token = decodeKey(lastString)
    } else if (c === 0x2c /* , */ && frame?.array) {
      frame.token = (frame.token as number) + 1
    }
  }
}

function decodeKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string
  } catch {
    return quoted.slice(1, -1)
  }
}
