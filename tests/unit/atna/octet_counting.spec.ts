import { test } from '@japa/runner'
import { OctetCountingDecoder, OctetCountingError, frame } from '#interop/atna/octet_counting'

function fault(decoder: OctetCountingDecoder, chunk: string | Buffer): OctetCountingError {
  try {
    decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  } catch (error) {
    if (error instanceof OctetCountingError) {
      return error
    }
    throw error
  }
  throw new Error('expected an OctetCountingError')
}

function texts(frames: Buffer[]): string[] {
  return frames.map((bytes) => bytes.toString('utf8'))
}

test.group('Octet-counting framing', () => {
  test('a frame is the octet count, a space and the message', ({ assert }) => {
    assert.equal(frame('<13>1 - - - - - - hi').toString(), '20 <13>1 - - - - - - hi')
    assert.equal(frame('ü').toString('latin1'), '2 \u00c3\u00bc')
  })

  test('frames split at every possible byte come out whole and in order', ({ assert }) => {
    const stream = Buffer.concat([frame('first message'), frame('zweite Nachricht ü'), frame('3')])
    for (let cut = 1; cut < stream.length; cut++) {
      const decoder = new OctetCountingDecoder()
      const frames = [
        ...decoder.push(stream.subarray(0, cut)),
        ...decoder.push(stream.subarray(cut)),
      ]

      assert.deepEqual(texts(frames), ['first message', 'zweite Nachricht ü', '3'], `cut at ${cut}`)
      assert.isFalse(decoder.midFrame)
    }
  })

  test('a stream fed one byte at a time still yields each frame once', ({ assert }) => {
    const decoder = new OctetCountingDecoder()
    const stream = Buffer.concat([frame('a'), frame('bb'), frame('c'.repeat(300))])
    const frames = [...stream].flatMap((byte) => decoder.push(Buffer.from([byte])))

    assert.deepEqual(texts(frames), ['a', 'bb', 'c'.repeat(300)])
  })

  test('many frames in one chunk all come out of one push', ({ assert }) => {
    const decoder = new OctetCountingDecoder()
    const messages = Array.from({ length: 50 }, (_, index) => `message ${index}`)

    assert.deepEqual(texts(decoder.push(Buffer.concat(messages.map((m) => frame(m))))), messages)
  })

  test('a partial frame waits for the rest and holds no more than one frame', ({ assert }) => {
    const decoder = new OctetCountingDecoder({ maxFrameBytes: 1000 })

    assert.deepEqual(decoder.push(Buffer.from('1000 ')), [])
    assert.isTrue(decoder.midFrame)
    assert.deepEqual(decoder.push(Buffer.alloc(999, 'x')), [])
    assert.equal(decoder.bufferedBytes, 999)
    assert.deepEqual(texts(decoder.push(Buffer.from('y5 hel'))), ['x'.repeat(999) + 'y'])
    assert.equal(decoder.bufferedBytes, 3)
    assert.deepEqual(texts(decoder.push(Buffer.from('lo'))), ['hello'])
  })

  test('a length that is not digits, starts with zero or is empty is malformed', ({ assert }) => {
    for (const garbage of ['abc', '12a ', '05 hello', '0 ', ' 5 hello', '-1 x', '<13>1 x']) {
      const error = fault(new OctetCountingDecoder(), garbage)

      assert.equal(error.code, 'E_FRAME_MALFORMED', garbage)
      assert.equal(error.status, 400)
    }
  })

  test('a length over the maximum is refused before any body is buffered', ({ assert }) => {
    const decoder = new OctetCountingDecoder({ maxFrameBytes: 1000 })
    const tooLarge = fault(decoder, '1001 ')

    assert.equal(tooLarge.code, 'E_FRAME_TOO_LARGE')
    assert.equal(tooLarge.status, 413)
    assert.equal(
      fault(new OctetCountingDecoder({ maxFrameBytes: 1000 }), '99999').code,
      'E_FRAME_TOO_LARGE'
    )
    assert.equal(
      fault(new OctetCountingDecoder({ maxFrameBytes: 1000 }), '000000000000000000001 ').code,
      'E_FRAME_MALFORMED'
    )
    assert.equal(decoder.bufferedBytes, 4)
  })

  test('the frames before a fault in the same chunk are kept; the stream stays failed', ({
    assert,
  }) => {
    const decoder = new OctetCountingDecoder()
    const error = fault(
      decoder,
      Buffer.concat([frame('good one'), frame('good two'), Buffer.from('x9 bad')])
    )

    assert.deepEqual(texts(error.framesBefore), ['good one', 'good two'])
    assert.equal(fault(decoder, frame('later')).code, 'E_FRAME_MALFORMED')
  })
})
