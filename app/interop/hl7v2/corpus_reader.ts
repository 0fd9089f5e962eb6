import { readFileSync } from 'node:fs'
import { trimControl } from '#interop/hl7v2/hl7_values'

/** One message of a test corpus and the FHIRPath assertions written under it. */
export interface CorpusMessage {
  message: string
  assertions: string[]
}

const SEGMENT = /^[A-Z123]{3}\|/

/**
 * Reads a corpus in the v2tofhir test-data format: lines trimmed, a trailing `\` joins the
 * next line, blank lines end a record, `#` and `//` lines are comments, `@` lines are
 * assertions; a record holding several MSH is split into several messages, segments joined
 * and ended by CR.
 * @see https://github.com/IZGateway/v2tofhir (`TestData` and `ContinuationReader` in `utils/`)
 */
export function parseHl7Corpus(text: string): CorpusMessage[] {
  const physical = text.split(/\r\n|\r|\n/).map(trimControl)
  const records: string[][] = [[]]
  for (let index = 0; index < physical.length; index++) {
    let line = physical[index]
    while (line.endsWith('\\') && line !== '' && index + 1 < physical.length) {
      line = line.slice(0, -1) + physical[++index]
    }
    if (line === '') records.push([])
    else records[records.length - 1].push(line)
  }
  const messages: CorpusMessage[] = []
  for (const record of records) {
    let current: CorpusMessage | undefined
    const assertions: string[] = []
    for (const line of record) {
      if (line.startsWith('#') || line.startsWith('//')) continue
      if (line.startsWith('@')) assertions.push(line)
      else if (SEGMENT.test(line)) {
        if (line.startsWith('MSH|') || !current) {
          current = { message: '', assertions: current ? [] : assertions }
          messages.push(current)
        }
        current.message += `${line}\r`
      }
    }
  }
  return messages
}

export function readHl7Corpus(path: string): CorpusMessage[] {
  return parseHl7Corpus(readFileSync(path, 'utf8'))
}

/** MSH-9 type and trigger of a corpus message (`VXU^V04`), for picking messages by type. */
export function corpusMessageType(message: string): string {
  const msh = message.slice(0, message.indexOf('\r'))
  const separator = msh[3] ?? '|'
  const [type = '', trigger = ''] = (msh.split(separator)[8] ?? '').split(msh[4] ?? '^')
  return `${type}^${trigger}`
}
