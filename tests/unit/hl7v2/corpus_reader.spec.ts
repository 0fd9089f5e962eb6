import { test } from '@japa/runner'
import { corpusMessageType, parseHl7Corpus, readHl7Corpus } from '#interop/hl7v2/corpus_reader'
import { CORPUS_PATH } from '#tests/unit/hl7v2/hl7_corpus'

test.group('HL7 corpus reader', () => {
  test('continuations, comments, assertions and records are read as the format says', ({
    assert,
  }) => {
    const text = [
      '# a comment',
      'MSH|^~\\&|\\',
      '\tTEST|MOCK|DEST|DAPP|2024||VXU^V04|1|P|2.5.1',
      'PID|1||1^^^MR   ',
      '@Patient.name.exists()',
      '// a comment that swallows \\',
      '@Patient.lost()',
      '',
      'MSH|^~\\&|A|B|C|D|2024||ACK^V04|2|P|2.5.1',
      'MSA|AA|1',
      'MSH|^~\\&|A|B|C|D|2024||ACK^V04|3|P|2.5.1',
    ].join('\n')
    const messages = parseHl7Corpus(text)
    assert.lengthOf(messages, 3)
    assert.equal(
      messages[0].message,
      'MSH|^~\\&|TEST|MOCK|DEST|DAPP|2024||VXU^V04|1|P|2.5.1\rPID|1||1^^^MR\r'
    )
    assert.deepEqual(messages[0].assertions, ['@Patient.name.exists()'])
    assert.equal(corpusMessageType(messages[1].message), 'ACK^V04')
    assert.deepEqual(messages[2].assertions, [])
  })

  test('the v2tofhir corpus holds 64 messages and 55 assertions', ({ assert }) => {
    const messages = readHl7Corpus(CORPUS_PATH)
    assert.lengthOf(messages, 64)
    assert.equal(
      messages.reduce((total, entry) => total + entry.assertions.length, 0),
      55
    )
    assert.equal(
      messages.filter((entry) => corpusMessageType(entry.message) === 'QBP^Q22').length,
      10
    )
  })
})
