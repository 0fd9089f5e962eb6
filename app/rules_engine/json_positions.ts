import { pointer } from '#rules_engine/pack_errors'

/** A place in a text, 1-based as editors count. */
export interface TextPosition {
  line: number
  column: number
}

/**
 * Where each JSON Pointer of a document starts in its text: a property at its name, an
 * array item at its first character. Scanned without recursion and without building the
 * values, so it serves the editor for any text the loader accepts; on malformed text it
 * returns what it met before the fault.
 * @see https://www.rfc-editor.org/rfc/rfc6901
 * @see https://www.rfc-editor.org/rfc/rfc8259
 */
export function jsonPositions(text: string): Map<string, TextPosition> {
  const positions = new Map<string, TextPosition>()
  const frames: { array: boolean; path: string; index: number; key: string | null }[] = []
  let line = 1
  let lineStart = 0
  const at = (offset: number) => ({ line, column: offset - lineStart + 1 })
  /* A value begins here: record it under the pointer of its slot, unless its key was recorded. */
  const valueStarts = (offset: number) => {
    const frame = frames.at(-1)
    if (!frame) {
      positions.set('', at(offset))
      return ''
    }
    const token = frame.array ? frame.index : frame.key
    const path = token === null ? frame.path : pointer(frame.path, token)
    if (!positions.has(path)) {
      positions.set(path, at(offset))
    }
    return path
  }
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\n') {
      line++
      lineStart = i + 1
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === ':' || c === '\ufeff') {
      continue
    }
    const frame = frames.at(-1)
    if (c === '"') {
      const end = stringEnd(text, i)
      if (end < 0) {
        break
      }
      if (expectKey && frame && !frame.array) {
        frame.key = JSON.parse(text.slice(i, end + 1)) as string
        positions.set(pointer(frame.path, frame.key), at(i))
        expectKey = false
      } else {
        valueStarts(i)
      }
      i = end
      continue
    }
    if (c === '{' || c === '[') {
      const path = valueStarts(i)
      frames.push({ array: c === '[', path, index: 0, key: null })
      expectKey = c === '{'
      continue
    }
    if (c === '}' || c === ']') {
      frames.pop()
      expectKey = false
      continue
    }
    if (c === ',') {
      if (frame?.array) {
        frame.index++
      } else {
        expectKey = true
      }
      continue
    }
    /* A number, true, false or null: skip to its end. */
    valueStarts(i)
    while (i + 1 < text.length && /[^\s,\]}]/.test(text[i + 1])) {
      i++
    }
  }
  return positions
}

/**
 * The position of a pointer, or of its nearest ancestor present in the text: a missing
 * required property is shown where its object starts.
 */
export function positionOf(
  positions: Map<string, TextPosition>,
  path: string
): TextPosition | null {
  let current = path
  for (;;) {
    const found = positions.get(current)
    if (found) {
      return found
    }
    if (current === '') {
      return null
    }
    current = current.slice(0, current.lastIndexOf('/'))
  }
}

/** The line and column V8 gives in a JSON.parse message ("... (line 3 column 7)"). */
export function positionInParseError(message: string): TextPosition | null {
  const match = /line (\d+) column (\d+)/.exec(message)
  return match ? { line: Number(match[1]), column: Number(match[2]) } : null
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') {
      i++
    } else if (text[i] === '"') {
      return i
    } else if (text[i] === '\n') {
      return -1
    }
  }
  return -1
}
