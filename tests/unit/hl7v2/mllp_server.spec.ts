import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { connect as connectTcp } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect as connectTls } from 'node:tls'
import { Hl7Message } from '@medplum/core'
import { test } from '@japa/runner'
import type { Hl7Error, Hl7ErrorCode } from '#interop/hl7v2/hl7_error'
import { MllpClient } from '#interop/hl7v2/mllp_client'
import { encodeMllp, MllpDecoder } from '#interop/hl7v2/mllp_framing'
import {
  MllpServer,
  type MllpMessageMeta,
  type MllpServerOptions,
} from '#interop/hl7v2/mllp_server'

const pem = (name: string) => readFileSync(join(process.cwd(), 'tests', 'fixtures', 'tls', name))
const CA = pem('ca.crt')
const SERVER_TLS = { key: pem('server.key'), cert: pem('server.crt'), ca: CA }
const CLIENT_TLS = { key: pem('client.key'), cert: pem('client.crt'), ca: CA }

type Cleanup = (handler: () => void | Promise<void>) => void

/** A VXU^V04 whose MSH-10 is `controlId`. */
function vxu(controlId: string): string {
  return [
    `MSH|^~\\&|EMR|CLINIC|OUTPOST|GW|20260101120000||VXU^V04^VXU_V04|${controlId}|P|2.5.1`,
    'PID|1||123^^^MR||DOE^JANE',
    'RXA|0|1|20260101||08^HepB^CVX|0.5|mL',
  ].join('\r')
}

/** The MSA-2 of an ACK: the MSH-10 of the message it answers. */
function acknowledged(ack: string): string {
  const msa = Hl7Message.parse(ack).getSegment('MSA')
  return `${msa?.getField(1).toString()}|${msa?.getField(2).toString()}`
}

/** A gateway on 127.0.0.1 that answers every message with an AA echoing its MSH-10. */
async function gateway(
  cleanup: Cleanup,
  options: Partial<MllpServerOptions> = {},
  delay: (controlId: string) => Promise<void> | void = () => {}
) {
  const handled: { controlId: string; meta: MllpMessageMeta }[] = []
  const errors: Hl7Error[] = []
  const server = new MllpServer({ host: '127.0.0.1', port: 0, ...options })
  server
    .onMessage(async (text, meta) => {
      const message = Hl7Message.parse(text)
      const controlId = message.header.getField(10).toString()
      if (controlId === 'BOOM') {
        throw new Error('the handler failed')
      }
      await delay(controlId)
      handled.push({ controlId, meta })
      return message.buildAck({ ackCode: 'AA' }).toString()
    })
    .onError((error) => errors.push(error))
  const port = await server.start()
  cleanup(() => server.stop())
  return {
    server,
    port,
    handled,
    controlIds: () => handled.map((entry) => entry.controlId),
    codes: () => errors.map((error) => error.code),
  }
}

function client(cleanup: Cleanup, port: number, tls = false) {
  const sender = new MllpClient({
    host: '127.0.0.1',
    port,
    timeoutMs: 2_000,
    ...(tls ? { tls: CLIENT_TLS } : {}),
  })
  cleanup(() => sender.close())
  return sender
}

/** A TCP sender that writes whatever bytes the test gives it and collects the ACKs. */
async function rawSender(cleanup: Cleanup, port: number) {
  const socket = connectTcp({ host: '127.0.0.1', port })
  socket.on('error', () => {})
  cleanup(() => {
    socket.destroy()
  })
  const decoder = new MllpDecoder()
  const acks: string[] = []
  socket.on('data', (chunk: Buffer) => acks.push(...decoder.push(chunk)))
  const closed = once(socket, 'close').then(() => true)
  await once(socket, 'connect')
  return { socket, acks, closed }
}

async function until(condition: () => boolean, what: string, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`)
    }
    await sleep(10)
  }
}

async function closedWithin(closed: Promise<boolean>, timeoutMs = 2_000): Promise<boolean> {
  return Promise.race([closed, sleep(timeoutMs).then(() => false)])
}

async function refusal(send: Promise<unknown>): Promise<Hl7ErrorCode> {
  try {
    await send
  } catch (error) {
    return (error as Hl7Error).code
  }
  throw new Error('the message was acknowledged')
}

function deferred() {
  let release!: () => void
  const promise = new Promise<void>((resolve) => {
    release = resolve
  })
  return { promise, release }
}

test.group('MLLP listener', () => {
  test('a VXU sent over TCP is answered with an AA echoing its MSH-10', async ({
    assert,
    cleanup,
  }) => {
    const { port, handled } = await gateway(cleanup)
    const ack = await client(cleanup, port).send(vxu('MSG001'))
    assert.equal(acknowledged(ack), 'AA|MSG001')
    assert.equal(handled[0].meta.remoteAddress, '127.0.0.1')
    assert.isNumber(handled[0].meta.connectionId)
    assert.isUndefined(handled[0].meta.peerCN)
  })

  test('a sender that shuts down its side after its frames still gets every ACK', async ({
    assert,
    cleanup,
  }) => {
    const { port } = await gateway(cleanup, {}, () => sleep(50))
    const { socket, acks, closed } = await rawSender(cleanup, port)
    socket.end(Buffer.concat([encodeMllp(vxu('HALF1')), encodeMllp(vxu('HALF2'))]))
    assert.isTrue(await closedWithin(closed))
    assert.deepEqual(acks.map(acknowledged), ['AA|HALF1', 'AA|HALF2'])
  })

  test('over mutual TLS the handler learns the sender certificate CN', async ({
    assert,
    cleanup,
  }) => {
    const { port, handled } = await gateway(cleanup, {
      tls: { ...SERVER_TLS, requestClientCert: true },
    })
    const ack = await client(cleanup, port, true).send(vxu('TLS001'))
    assert.equal(acknowledged(ack), 'AA|TLS001')
    assert.equal(handled[0].meta.peerCN, 'outpost-test-client')
  })

  test('over TLS without client certificates a sender needs only the CA', async ({
    assert,
    cleanup,
  }) => {
    const { port } = await gateway(cleanup, { tls: SERVER_TLS })
    const sender = new MllpClient({ host: '127.0.0.1', port, tls: { ca: CA }, timeoutMs: 2_000 })
    cleanup(() => sender.close())
    assert.equal(acknowledged(await sender.send(vxu('TLS002'))), 'AA|TLS002')
  })

  test('a sender without a trusted certificate is refused under mutual TLS', async ({
    assert,
    cleanup,
  }) => {
    const { port, handled } = await gateway(cleanup, {
      tls: { ...SERVER_TLS, requestClientCert: true },
    })
    const stranger = new MllpClient({ host: '127.0.0.1', port, tls: { ca: CA }, timeoutMs: 2_000 })
    cleanup(() => stranger.close())
    assert.include(
      ['E_MLLP_CONNECT_FAILED', 'E_MLLP_SEND_FAILED'],
      await refusal(stranger.send(vxu('X1')))
    )
    assert.lengthOf(handled, 0)
  })

  test('messages of one connection are handled and acknowledged in order, one at a time', async ({
    assert,
    cleanup,
  }) => {
    let active = 0
    let mostActive = 0
    const { port, controlIds } = await gateway(cleanup, {}, async (controlId) => {
      active++
      mostActive = Math.max(mostActive, active)
      // The first message is the slowest: a concurrent handler would finish it last.
      await sleep(controlId === 'M1' ? 150 : controlId === 'M2' ? 60 : 5)
      active--
    })
    const sender = await rawSender(cleanup, port)
    sender.socket.write(Buffer.concat(['M1', 'M2', 'M3'].map((id) => encodeMllp(vxu(id)))))
    await until(() => sender.acks.length === 3, 'three ACKs')
    assert.deepEqual(sender.acks.map(acknowledged), ['AA|M1', 'AA|M2', 'AA|M3'])
    assert.deepEqual(controlIds(), ['M1', 'M2', 'M3'])
    assert.equal(mostActive, 1)
  })

  test('a slow first connection does not delay a second one', async ({ assert, cleanup }) => {
    const gate = deferred()
    const { port } = await gateway(cleanup, {}, (controlId) =>
      controlId === 'SLOW' ? gate.promise : undefined
    )
    cleanup(() => gate.release())
    const slow = client(cleanup, port).send(vxu('SLOW'))
    await sleep(50)
    const fast = await client(cleanup, port).send(vxu('FAST'))
    assert.equal(acknowledged(fast), 'AA|FAST')
    gate.release()
    assert.equal(acknowledged(await slow), 'AA|SLOW')
  })

  test('a frame over the maximum closes only that connection', async ({ assert, cleanup }) => {
    const { port, codes } = await gateway(cleanup, { maxFrameBytes: 4096 })
    const good = client(cleanup, port)
    assert.equal(acknowledged(await good.send(vxu('BEFORE'))), 'AA|BEFORE')
    const flooder = await rawSender(cleanup, port)
    flooder.socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(8192, 0x41)]))
    assert.isTrue(await closedWithin(flooder.closed))
    assert.include(codes(), 'E_MLLP_FRAME_TOO_LARGE')
    assert.equal(acknowledged(await good.send(vxu('AFTER'))), 'AA|AFTER')
  })

  test('bytes without MLLP framing close the connection', async ({ assert, cleanup }) => {
    const { port, codes, handled } = await gateway(cleanup)
    const sender = await rawSender(cleanup, port)
    sender.socket.write(vxu('NOFRAME'))
    assert.isTrue(await closedWithin(sender.closed))
    assert.deepEqual(codes(), ['E_MLLP_OUTSIDE_FRAME'])
    assert.lengthOf(handled, 0)
  })

  test('a connection closed in the middle of a frame is reported as truncated', async ({
    assert,
    cleanup,
  }) => {
    const { port, codes, handled } = await gateway(cleanup)
    const sender = await rawSender(cleanup, port)
    sender.socket.end(encodeMllp(vxu('CUT')).subarray(0, 30))
    await until(() => codes().includes('E_MLLP_FRAME_TRUNCATED'), 'the truncation report')
    assert.lengthOf(handled, 0)
  })

  test('a handler that throws leaves that message unacknowledged and the connection open', async ({
    assert,
    cleanup,
  }) => {
    const { port, codes } = await gateway(cleanup)
    const sender = await rawSender(cleanup, port)
    sender.socket.write(Buffer.concat([encodeMllp(vxu('BOOM')), encodeMllp(vxu('NEXT'))]))
    await until(() => sender.acks.length === 1, 'the ACK of the next message')
    assert.deepEqual(sender.acks.map(acknowledged), ['AA|NEXT'])
    assert.deepEqual(codes(), ['E_MLLP_HANDLER_FAILED'])
    assert.isFalse(sender.socket.destroyed)
  })

  test('an address outside the allow-list is closed at once', async ({ assert, cleanup }) => {
    const { port, codes, handled } = await gateway(cleanup, {
      allowList: ['10.0.0.0/8', '192.168.1.7'],
    })
    const sender = await rawSender(cleanup, port)
    sender.socket.write(encodeMllp(vxu('REFUSED')))
    assert.isTrue(await closedWithin(sender.closed))
    assert.deepEqual(codes(), ['E_MLLP_CLIENT_REFUSED'])
    assert.lengthOf(handled, 0)
    assert.lengthOf(sender.acks, 0)
  })

  test('an address outside the allow-list is closed before the TLS handshake', async ({
    assert,
    cleanup,
  }) => {
    const { port, codes } = await gateway(cleanup, { tls: SERVER_TLS, allowList: ['10.0.0.0/8'] })
    const socket = connectTls({ host: '127.0.0.1', port, ca: CA })
    socket.on('error', () => {})
    cleanup(() => {
      socket.destroy()
    })
    const secured = await new Promise<boolean>((resolve) => {
      socket.once('secureConnect', () => resolve(true))
      socket.once('close', () => resolve(false))
    })
    assert.isFalse(secured)
    assert.deepEqual(codes(), ['E_MLLP_CLIENT_REFUSED'])
  })

  test('an address inside an allowed subnet is served', async ({ assert, cleanup }) => {
    const { port } = await gateway(cleanup, { allowList: ['10.0.0.0/8', '127.0.0.0/8'] })
    assert.equal(acknowledged(await client(cleanup, port).send(vxu('ALLOWED'))), 'AA|ALLOWED')
  })

  test('an allow-list entry that is not an address is refused at construction', ({ assert }) => {
    assert.throws(
      () => new MllpServer({ host: '127.0.0.1', port: 0, allowList: ['clinic.local'] }),
      /allow-list entry/
    )
    assert.throws(
      () => new MllpServer({ host: '127.0.0.1', port: 0, allowList: ['10.0.0.0/40'] }),
      /allow-list entry/
    )
  })

  test('connections beyond the maximum are dropped while the others are served', async ({
    assert,
    cleanup,
  }) => {
    const { server, port, codes } = await gateway(cleanup, { maxConnections: 2 })
    const first = await rawSender(cleanup, port)
    await rawSender(cleanup, port)
    await until(() => server.connectionCount === 2, 'two connections')
    const third = await rawSender(cleanup, port)
    assert.isTrue(await closedWithin(third.closed))
    assert.include(codes(), 'E_MLLP_TOO_MANY_CONNECTIONS')
    first.socket.write(encodeMllp(vxu('STILL')))
    await until(() => first.acks.length === 1, 'the ACK on the first connection')
    assert.equal(acknowledged(first.acks[0]), 'AA|STILL')
  })

  test('a silent connection is closed after the idle timeout', async ({ assert, cleanup }) => {
    const { port, codes } = await gateway(cleanup, { idleTimeoutMs: 150 })
    const sender = await rawSender(cleanup, port)
    const started = Date.now()
    assert.isTrue(await closedWithin(sender.closed))
    assert.isAtLeast(Date.now() - started, 100)
    assert.deepEqual(codes(), ['E_MLLP_IDLE_TIMEOUT'])
  })

  test('a sender waiting for a slow handler is not taken for idle', async ({ assert, cleanup }) => {
    const { port, codes } = await gateway(cleanup, { idleTimeoutMs: 100 }, () => sleep(300))
    const ack = await client(cleanup, port).send(vxu('PATIENT'))
    assert.equal(acknowledged(ack), 'AA|PATIENT')
    assert.notInclude(codes(), 'E_MLLP_IDLE_TIMEOUT')
  })

  test('stopping waits for the handler in flight and still sends its ACK', async ({
    assert,
    cleanup,
  }) => {
    let finished = false
    const { server, port, handled } = await gateway(cleanup, {}, async () => {
      await sleep(150)
      finished = true
    })
    const sending = client(cleanup, port).send(vxu('LAST'))
    await sleep(50)
    await server.stop()
    assert.isTrue(finished)
    assert.lengthOf(handled, 1)
    assert.equal(acknowledged(await sending), 'AA|LAST')
    assert.isNull(server.port)
  })
})
