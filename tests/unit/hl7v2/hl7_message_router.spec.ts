import { test } from '@japa/runner'
import { readHl7Corpus } from '#interop/hl7v2/corpus_reader'
import { corpusMessageType } from '#interop/hl7v2/corpus_reader'
import { routeMessage } from '#interop/hl7v2/hl7_message_router'
import { CORPUS_PATH } from '#tests/unit/hl7v2/hl7_corpus'

const message = (type: string, version = '2.5.1', controlId = 'MSG1') =>
  `MSH|^~\\&|EMR|CLINIC|GW|HUB|20260101120000||${type}|${controlId}|P|${version}\rPID|1||P1^^^H^MR||DOE^JANE||20000101|F\rPV1|1|O\r`

function rejection(text: string) {
  const routed = routeMessage(text)
  if (routed.kind !== 'rejected') throw new Error(`expected a rejection, got ${routed.kind}`)
  return routed.issues[0]
}

test.group('HL7 message routing', () => {
  test('supported messages are mapped and accepted', ({ assert }) => {
    const routed = routeMessage(`\u000b${message('ADT^A04^ADT_A01', '2.3.1')}\u001c\r`)
    assert.equal(routed.kind, 'mapped')
    assert.equal(routed.ackCode, 'AA')
  })

  test('unsupported versions, types and events are refused with their 0357 code', ({ assert }) => {
    assert.deepInclude(rejection(message('ADT^A04', '2.6')), {
      code: '203',
      location: { segment: 'MSH', sequence: 1, field: 12 },
    })
    assert.deepInclude(rejection(message('MFN^M01')), { code: '200' })
    assert.deepInclude(rejection(message('QBP^Q23')), { code: '201' })
    assert.deepInclude(rejection(message('ADT^A31')), { code: '201' })
    assert.deepInclude(rejection(message('VXU^V05')), { code: '201' })
  })

  test('a merge is refused as unsupported', ({ assert }) => {
    const found = rejection(message('ADT^A40^ADT_A39'))
    assert.equal(found.code, '201')
    assert.include(found.message, 'unsupported: merge')
  })

  test('garbage, missing MSH-10 and broken delimiters are refused', ({ assert }) => {
    assert.deepInclude(rejection('\u0000\u00ff garbage'), { code: '100' })
    assert.deepInclude(rejection(message('ADT^A04', '2.5.1', '')), {
      code: '101',
      location: { segment: 'MSH', sequence: 1, field: 10 },
    })
    assert.deepInclude(rejection('MSH|^^^^|EMR|C|GW|H|2026||ADT^A04|1|P|2.5.1'), { code: '102' })
  })

  test('an invalid birth date makes the message an application error', ({ assert }) => {
    const routed = routeMessage(message('ADT^A08').replace('20000101', '20001301'))
    assert.equal(routed.ackCode, 'AE')
  })

  test('every corpus message of a supported type maps without error', ({ assert }) => {
    const counts: Record<string, { total: number; clean: number }> = {}
    for (const entry of readHl7Corpus(CORPUS_PATH)) {
      const type = corpusMessageType(entry.message)
      if (!['ADT^A01', 'ADT^A04', 'ADT^A08', 'VXU^V04', 'QBP^Q22', 'ORU^R01'].includes(type))
        continue
      const routed = routeMessage(entry.message)
      counts[type] ??= { total: 0, clean: 0 }
      counts[type].total++
      if (routed.kind === 'mapped' && routed.result.issues.length === 0) counts[type].clean++
      if (routed.kind === 'query' && routed.issues.length === 0) counts[type].clean++
    }
    assert.deepEqual(counts, {
      'ADT^A04': { total: 2, clean: 2 },
      'ADT^A01': { total: 1, clean: 1 },
      'ADT^A08': { total: 1, clean: 1 },
      'VXU^V04': { total: 1, clean: 1 },
      'QBP^Q22': { total: 10, clean: 10 },
    })
  })
})
