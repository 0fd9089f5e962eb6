import { fileURLToPath } from 'node:url'
import { corpusMessageType, readHl7Corpus, type CorpusMessage } from '#interop/hl7v2/corpus_reader'

const CORPUS_PATH = fileURLToPath(new URL('../../fixtures/hl7v2/messages.txt', import.meta.url))

/** The corpus messages whose MSH-9 is `type^trigger`. */
export function corpusMessages(messageType: string): CorpusMessage[] {
  return readHl7Corpus(CORPUS_PATH).filter(
    (entry) => corpusMessageType(entry.message) === messageType
  )
}

export { CORPUS_PATH }
