import { test } from '@japa/runner'
import { encodeMllp, MllpDecoder, MllpFramingError } from '#interop/hl7v2/mllp_framing'

const VXU =
  'MSH|^~\\&|EMR|CLINIC|OUTPOST|GW|20260101120000||VXU^V04^VXU_V04|MSG001|P|2.5.1\rPID|1||123^^^MR||DOE^JANE\r'
const ADT =
  'MSH|^~\\&|EMR|CLINIC|OUTPOST|GW|20260101120100||ADT^A04^ADT_A01|MSG002|P|2.5.1\rPID|1||456^^^MR||ROE^RICHARD\r'

function framingFault(run: () => unknown): MllpFramingError {
  try {
    run()
  } catch (error) {
    if (error instanceof MllpFramingError) {
      return error
    }
    throw error
  }
  throw new Error('no framing error was thrown')
}

test.group('MLLP framing', () => {
  test('a message is wrapped in a start block and an end block followed by CR', ({ assert }) => {
    const framed = encodeMllp('MSH|^~\\&|A\r')
    assert.equal(framed[0], 0x0b)
    assert.deepEqual([...framed.subarray(-2)], [0x1c, 0x0d])
    assert.equal(framed.subarray(1, -2).toString('utf8'), 'MSH|^~\\&|A\r')
  })

  test('several frames in one chunk come out in order', ({ assert }) => {
    const decoder = new MllpDecoder()
    assert.deepEqual(decoder.push(Buffer.concat([encodeMllp(VXU), encodeMllp(ADT)])), [VXU, ADT])
    assert.isFalse(decoder.midFrame)
  })

  test('a frame cut at every possible byte is reassembled', ({ assert }) => {
    const stream = Buffer.concat([encodeMllp(VXU), encodeMllp(ADT)])
    for (let cut = 1; cut < stream.length; cut++) {
      const decoder = new MllpDecoder()
      const messages = [
        ...decoder.push(stream.subarray(0, cut)),
        ...decoder.push(stream.subarray(cut)),
      ]
      assert.deepEqual(messages, [VXU, ADT], `cut at byte ${cut}`)
    }
  })

  test('a stream fed one byte at a time yields the same messages', ({ assert }) => {
    const decoder = new MllpDecoder()
    const messages: string[] = []
    for (const byte of Buffer.concat([encodeMllp(VXU), encodeMllp(ADT)])) {
      messages.push(...decoder.push(Uint8Array.of(byte)))
    }
    assert.deepEqual(messages, [VXU, ADT])
  })

  test('multi-byte UTF-8 split across chunks survives', ({ assert }) => {
    const message = 'MSH|^~\\&|EMR\rPID|1||1||Müller^Zoë\r'
    const stream = encodeMllp(message)
    const split = stream.indexOf(0xc3) + 1
    const decoder = new MllpDecoder()
    assert.deepEqual(
      [...decoder.push(stream.subarray(0, split)), ...decoder.push(stream.subarray(split))],
      [message]
    )
  })

  test('whitespace between frames is tolerated', ({ assert }) => {
    const decoder = new MllpDecoder()
    const stream = Buffer.concat([
      encodeMllp(VXU),
      Buffer.from('\r\n \t'),
      encodeMllp(ADT),
      Buffer.from('\n'),
    ])
    assert.deepEqual(decoder.push(stream), [VXU, ADT])
  })

  test('a message without MLLP framing is refused', ({ assert }) => {
    const error = framingFault(() => new MllpDecoder().push(Buffer.from(VXU)))
    assert.equal(error.code, 'E_MLLP_OUTSIDE_FRAME')
    assert.equal(error.status, 400)
  })

  test('garbage after a good frame keeps the good message and stops the stream', ({ assert }) => {
    const decoder = new MllpDecoder()
    const error = framingFault(() =>
      decoder.push(Buffer.concat([encodeMllp(VXU), Buffer.from([0xff, 0x00, 0x13])]))
    )
    assert.equal(error.code, 'E_MLLP_OUTSIDE_FRAME')
    assert.deepEqual(error.messagesBefore, [VXU])
    assert.equal(framingFault(() => decoder.push(encodeMllp(ADT))).code, 'E_MLLP_FRAME_MALFORMED')
  })

  test('an end block not followed by CR is malformed', ({ assert }) => {
    const stream = Buffer.from([0x0b, 0x41, 0x1c, 0x41])
    assert.equal(framingFault(() => new MllpDecoder().push(stream)).code, 'E_MLLP_FRAME_MALFORMED')
  })

  test('a start block inside a frame is malformed', ({ assert }) => {
    const stream = Buffer.concat([Buffer.from([0x0b, 0x41]), encodeMllp(VXU)])
    assert.equal(framingFault(() => new MllpDecoder().push(stream)).code, 'E_MLLP_FRAME_MALFORMED')
  })

  test('a message of exactly the maximum is accepted', ({ assert }) => {
    const message = 'M'.repeat(64)
    assert.deepEqual(new MllpDecoder({ maxFrameBytes: 64 }).push(encodeMllp(message)), [message])
  })

  test('a frame over the maximum is refused as soon as it crosses it', ({ assert }) => {
    const decoder = new MllpDecoder({ maxFrameBytes: 64 })
    decoder.push(Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(60, 0x41)]))
    assert.equal(decoder.bufferedBytes, 60)
    const error = framingFault(() => decoder.push(Buffer.alloc(5, 0x41)))
    assert.equal(error.code, 'E_MLLP_FRAME_TOO_LARGE')
    assert.equal(error.status, 413)
    assert.equal(decoder.bufferedBytes, 0)
  })

  test('a peer that never ends its frame is cut off at the maximum, not buffered', ({ assert }) => {
    const decoder = new MllpDecoder({ maxFrameBytes: 1024 })
    decoder.push(Buffer.from([0x0b]))
    const error = framingFault(() => {
      for (let i = 0; i < 1_000; i++) {
        decoder.push(Buffer.alloc(100, 0x41))
      }
    })
    assert.equal(error.code, 'E_MLLP_FRAME_TOO_LARGE')
    assert.isAtMost(decoder.bufferedBytes, 1024)
  })

  test('a stream that ends in the middle of a frame is truncated', ({ assert }) => {
    const decoder = new MllpDecoder()
    decoder.push(encodeMllp(VXU).subarray(0, 20))
    assert.isTrue(decoder.midFrame)
    assert.equal(framingFault(() => decoder.end()).code, 'E_MLLP_FRAME_TRUNCATED')
  })

  test('a stream that ends between frames ends cleanly', ({ assert }) => {
    const decoder = new MllpDecoder()
    decoder.push(encodeMllp(VXU))
    assert.doesNotThrow(() => decoder.end())
  })
})
