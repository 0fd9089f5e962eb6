import { once } from 'node:events'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import type { Hl7Error, Hl7ErrorCode } from '#interop/hl7v2/hl7_error'
import { MllpClient } from '#interop/hl7v2/mllp_client'
import { encodeMllp, MllpDecoder } from '#interop/hl7v2/mllp_framing'

type Cleanup = (handler: () => void | Promise<void>) => void

const ack = (controlId: string) =>
  `MSH|^~\\&|OUTPOST|GW|EMR|CLINIC|20260101120000||ACK^V04^ACK|A${controlId}|P|2.5.1\rMSA|AA|${controlId}`
const message = (controlId: string) =>
  `MSH|^~\\&|EMR|CLINIC|OUTPOST|GW|20260101120000||ADT^A04^ADT_A01|${controlId}|P|2.5.1\rPID|1||1`

/**
 * A receiver written on bare sockets, so the client is tested against something other than
 * our own listener: `answer` decides, per message, what bytes go back (nothing, an ACK, a
 * close).
 */
async function receiver(cleanup: Cleanup, answer: (text: string, socket: Socket) => void) {
  const received: string[] = []
  const sockets = new Set<Socket>()
  let connections = 0
  const server: Server = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('error', () => {})
    const decoder = new MllpDecoder()
    socket.on('data', (chunk: Buffer) => {
      for (const text of decoder.push(chunk)) {
        received.push(text)
        answer(text, socket)
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanup(async () => {
    sockets.forEach((socket) => socket.destroy())
    await new Promise((resolve) => server.close(resolve))
  })
  return {
    port: (server.address() as AddressInfo).port,
    received,
    connections: () => connections,
  }
}

const controlIdOf = (text: string) => text.split('\r')[0].split('|')[9]

function client(cleanup: Cleanup, port: number, timeoutMs = 1_000) {
  const sender = new MllpClient({ host: '127.0.0.1', port, timeoutMs })
  cleanup(() => sender.close())
  return sender
}

async function refusal(send: Promise<unknown>): Promise<Hl7ErrorCode> {
  try {
    await send
  } catch (error) {
    return (error as Hl7Error).code
  }
  throw new Error('the message was acknowledged')
}

test.group('MLLP client', () => {
  test('send resolves with the ACK the receiver framed back', async ({ assert, cleanup }) => {
    const { port } = await receiver(cleanup, (text, socket) => {
      socket.write(encodeMllp(ack(controlIdOf(text))))
    })
    assert.equal(await client(cleanup, port).send(message('C1')), ack('C1'))
  })

  test('one message is in flight at a time, in call order', async ({ assert, cleanup }) => {
    let waiting = 0
    let mostWaiting = 0
    const { port, received } = await receiver(cleanup, (text, socket) => {
      waiting++
      mostWaiting = Math.max(mostWaiting, waiting)
      setTimeout(() => {
        waiting--
        socket.write(encodeMllp(ack(controlIdOf(text))))
      }, 30)
    })
    const sender = client(cleanup, port)
    const acks = await Promise.all(['C1', 'C2', 'C3'].map((id) => sender.send(message(id))))
    assert.deepEqual(acks, [ack('C1'), ack('C2'), ack('C3')])
    assert.deepEqual(received.map(controlIdOf), ['C1', 'C2', 'C3'])
    assert.equal(mostWaiting, 1)
  })

  test('a receiver that never answers times the send out, and the next send reconnects', async ({
    assert,
    cleanup,
  }) => {
    const { port, connections } = await receiver(cleanup, (text, socket) => {
      if (controlIdOf(text) !== 'LOST') {
        socket.write(encodeMllp(ack(controlIdOf(text))))
      }
    })
    const sender = client(cleanup, port, 150)
    assert.equal(await refusal(sender.send(message('LOST'))), 'E_MLLP_TIMEOUT')
    assert.isFalse(sender.connected)
    assert.equal(await sender.send(message('C2')), ack('C2'))
    assert.equal(connections(), 2)
  })

  test('a receiver that closes before the ACK fails the send, and the next reconnects', async ({
    assert,
    cleanup,
  }) => {
    const { port, connections } = await receiver(cleanup, (text, socket) => {
      if (controlIdOf(text) === 'DROPPED') {
        socket.destroy()
      } else {
        socket.write(encodeMllp(ack(controlIdOf(text))))
      }
    })
    const sender = client(cleanup, port)
    assert.equal(await refusal(sender.send(message('DROPPED'))), 'E_MLLP_SEND_FAILED')
    assert.equal(await sender.send(message('C2')), ack('C2'))
    assert.equal(connections(), 2)
  })

  test('a connection the receiver closed while idle is replaced on the next send', async ({
    assert,
    cleanup,
  }) => {
    const { port, connections } = await receiver(cleanup, (text, socket) => {
      socket.end(encodeMllp(ack(controlIdOf(text))))
    })
    const sender = client(cleanup, port)
    assert.equal(await sender.send(message('C1')), ack('C1'))
    await sleep(50)
    assert.equal(await sender.send(message('C2')), ack('C2'))
    assert.equal(connections(), 2)
  })

  test('nobody listening is a connect failure', async ({ assert, cleanup }) => {
    const probe = createServer().listen(0, '127.0.0.1')
    await once(probe, 'listening')
    const freePort = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    assert.equal(
      await refusal(client(cleanup, freePort).send(message('C1'))),
      'E_MLLP_CONNECT_FAILED'
    )
  })

  test('a closed client refuses to send', async ({ assert, cleanup }) => {
    const { port } = await receiver(cleanup, (text, socket) => {
      socket.write(encodeMllp(ack(controlIdOf(text))))
    })
    const sender = client(cleanup, port)
    await sender.send(message('C1'))
    await sender.close()
    assert.isFalse(sender.connected)
    assert.equal(await refusal(sender.send(message('C2'))), 'E_MLLP_CLOSED')
  })
})
