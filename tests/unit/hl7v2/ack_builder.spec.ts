import { Hl7Message } from '@medplum/core'
import { test } from '@japa/runner'
import { buildAck, buildRejection } from '#interop/hl7v2/ack_builder'

const VXU = Hl7Message.parse(
  'MSH|^~\\&|MYEHR|DCS|MYIIS|STATE|20120113|  |VXU^V04^VXU_V04|45646ug|P|2.5.1\rPID|1||432155^^^dcs^MR||Patient^Johnny\r'
)

const segments = (ack: string) => ack.split('\r').filter(Boolean)
const fields = (segment: string) => segment.split('|')

test.group('ACK building', () => {
  test('an AA swaps sender and receiver and echoes MSH-10 in MSA-2', ({ assert }) => {
    const ack = buildAck(VXU, { code: 'AA' })
    const [msh, msa, ...rest] = segments(ack)
    const header = fields(msh)
    assert.deepEqual(header.slice(2, 6), ['MYIIS', 'STATE', 'MYEHR', 'DCS'])
    assert.equal(header[8], 'ACK^V04^ACK')
    assert.notEqual(header[9], '45646ug')
    assert.isAtMost(header[9].length, 20)
    assert.equal(header[11], '2.5.1')
    assert.deepEqual(fields(msa), ['MSA', 'AA', '45646ug'])
    assert.lengthOf(rest, 0)
    assert.isTrue(ack.endsWith('\r'))
  })

  test('two ACKs of one message get different control ids', ({ assert }) => {
    const first = fields(segments(buildAck(VXU, { code: 'AA' }))[0])[9]
    const second = fields(segments(buildAck(VXU, { code: 'AA' }))[0])[9]
    assert.notEqual(first, second)
  })

  test('an AE carries one ERR per issue with location, 0357 code, severity and text', ({
    assert,
  }) => {
    const ack = buildAck(VXU, {
      code: 'AE',
      errors: [
        {
          severity: 'E',
          code: '102',
          location: { segment: 'PID', sequence: 1, field: 7 },
          message: 'bad date',
        },
        {
          severity: 'W',
          code: '103',
          location: { segment: 'RXA', sequence: 2, field: 5, component: 1 },
          message: 'unknown CVX',
        },
      ],
    })
    const [, msa, firstErr, secondErr] = segments(ack)
    assert.equal(fields(msa)[1], 'AE')
    const first = fields(firstErr)
    assert.equal(first[2], 'PID^1^7')
    assert.equal(first[3], '102^Data type error^HL70357')
    assert.equal(first[4], 'E')
    assert.equal(first[8], 'bad date')
    assert.equal(fields(secondErr)[2], 'RXA^2^5^1')
    assert.equal(fields(secondErr)[4], 'W')
  })

  test('delimiters in a user message are escaped', ({ assert }) => {
    const ack = buildAck(VXU, {
      code: 'AE',
      errors: [{ severity: 'E', code: '207', message: 'a|b^c&d~e\\f' }],
    })
    const err = segments(ack)[2]
    assert.isTrue(err.endsWith('|a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f'))
    assert.lengthOf(fields(err), 9)
  })

  test('an AR for text without MSH still answers, with what could be read', ({ assert }) => {
    const garbage = segments(buildRejection('\u0000\u0001binary'))
    assert.equal(fields(garbage[1])[1], 'AR')
    assert.equal(fields(garbage[2])[3], '100^Segment sequence error^HL70357')

    const truncated = segments(buildRejection('MSH|^~\\&|EMR|CLINIC|GW|HUB|2026||ADT^A04|MSG9'))
    assert.deepEqual(fields(truncated[0]).slice(2, 6), ['GW', 'HUB', 'EMR', 'CLINIC'])
    assert.equal(fields(truncated[0])[8], 'ACK^A04^ACK')
    assert.deepEqual(fields(truncated[1]), ['MSA', 'AR', 'MSG9'])
  })
})
