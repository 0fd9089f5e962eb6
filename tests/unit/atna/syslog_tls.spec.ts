import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { join } from 'node:path'
import { connect, createServer as createTlsServer, type TLSSocket } from 'node:tls'
import { test } from '@japa/runner'
import { AtnaError, type AtnaErrorCode } from '#interop/atna/atna_error'
import { createAuditRecord } from '#interop/atna/audit_record'
import { parseAuditMessageXml, toAuditMessageXml } from '#interop/atna/dicom_audit_message'
import { frame } from '#interop/atna/octet_counting'
import { formatSyslog } from '#interop/atna/syslog_message'
import {
  SyslogTlsReceiver,
  type SyslogReceiptMeta,
  type SyslogTlsReceiverOptions,
} from '#interop/atna/syslog_tls_receiver'
import { SyslogTlsSender, type SyslogTlsSenderOptions } from '#interop/atna/syslog_tls_sender'

const pem = (name: string) => readFileSync(join(process.cwd(), 'tests', 'fixtures', 'tls', name))
const CA = pem('ca.crt')
const SERVER = { key: pem('server.key'), cert: pem('server.crt'), ca: CA }
const EDGE = { key: pem('client.key'), cert: pem('client.crt'), ca: CA }
const STRANGER = { key: pem('untrusted-client.key'), cert: pem('untrusted-client.crt'), ca: CA }

type Cleanup = (handler: () => void | Promise<void>) => void

/** An edge's audit event, as the syslog message its spool row holds. */
function spooled(label: string): string {
  return formatSyslog({
    timestamp: new Date(),
    hostname: 'edge-07',
    appName: 'outpost',
    procId: '4242',
    message: toAuditMessageXml(
      createAuditRecord('login', {
        activeParticipants: [{ userId: 'nurse', isRequestor: true }],
        source: { auditSourceId: 'edge-07' },
        description: label,
      })
    ),
  })
}

/** A repository on 127.0.0.1 that keeps what it receives and what it reports. */
async function repository(
  cleanup: Cleanup,
  options: Partial<SyslogTlsReceiverOptions> = {},
  handle: (label: string) => Promise<void> | void = () => {}
) {
  const received: { label: string; meta: SyslogReceiptMeta }[] = []
  const errors: AtnaError[] = []
  const receiver = new SyslogTlsReceiver({ host: '127.0.0.1', port: 0, ...SERVER, ...options })
  receiver
    .onMessage(async (xml, meta) => {
      const label = parseAuditMessageXml(xml).description ?? ''
      await handle(label)
      received.push({ label, meta })
    })
    .onError((error) => errors.push(error))
  const port = await receiver.start()
  cleanup(() => receiver.stop())
  return {
    receiver,
    port,
    errors,
    received,
    labels: () => received.map((message) => message.label),
    codes: () => errors.map((error) => error.code),
  }
}

function edge(cleanup: Cleanup, port: number, options: Partial<SyslogTlsSenderOptions> = {}) {
  const sender = new SyslogTlsSender({ host: '127.0.0.1', port, ...EDGE, ...options })
  cleanup(() => sender.close())
  return sender
}

/** A TLS client that writes whatever bytes the test gives it. */
async function rawClient(cleanup: Cleanup, port: number): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port, ...EDGE })
  cleanup(() => {
    socket.destroy()
  })
  await once(socket, 'secureConnect')
  return socket
}

async function until(condition: () => boolean, what: string, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function sendRefusal(sender: SyslogTlsSender, messages: string[]): Promise<AtnaErrorCode> {
  try {
    await sender.send(messages)
  } catch (error) {
    if (error instanceof AtnaError) {
      return error.code
    }
    throw error
  }
  throw new Error('the messages were sent')
}

/** Listens on 127.0.0.1 and closes every connection at cleanup. */
async function listener(cleanup: Cleanup, server: Server): Promise<number> {
  const sockets = new Set<{ destroy(): void }>()
  server.on('connection', (socket) => sockets.add(socket))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanup(async () => {
    sockets.forEach((socket) => socket.destroy())
    await new Promise((resolve) => server.close(resolve))
  })
  return (server.address() as AddressInfo).port
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

test.group('Audit messages over syslog/TLS', () => {
  test('an edge’s messages arrive in order, with its certificate CN', async ({
    assert,
    cleanup,
  }) => {
    const repo = await repository(
      cleanup,
      {},
      () => new Promise((r) => setTimeout(r, Math.random() * 5))
    )
    const sender = edge(cleanup, repo.port)
    const labels = Array.from({ length: 30 }, (_, index) => `event ${index}`)

    await sender.send(labels.slice(0, 10).map(spooled))
    await sender.send(labels.slice(10).map(spooled))
    await until(() => repo.received.length === 30, 'thirty messages')

    assert.deepEqual(repo.labels(), labels)
    const { meta } = repo.received[0]
    assert.equal(meta.peerCN, 'outpost-test-client')
    assert.equal(meta.remoteAddress, '127.0.0.1')
    assert.include(meta.syslog, {
      facility: 10,
      severity: 5,
      hostname: 'edge-07',
      msgId: 'IHE+RFC-3881',
    })
    assert.deepEqual(repo.errors, [])
  })

  test('a client whose certificate another CA signed is refused', async ({ assert, cleanup }) => {
    const repo = await repository(cleanup)
    const stranger = edge(cleanup, repo.port, STRANGER)

    assert.equal(await sendRefusal(stranger, [spooled('forged')]), 'E_ATNA_CONNECT_FAILED')
    await until(() => repo.errors.length > 0, 'the refusal report')
    assert.deepEqual(repo.codes(), ['E_ATNA_CLIENT_REFUSED'])
    assert.deepEqual(repo.received, [])
  })

  test('a client without a certificate is refused unless the repository allows it', async ({
    assert,
    cleanup,
  }) => {
    const strict = await repository(cleanup)
    const lenient = await repository(cleanup, { allowMissingClientCert: true })
    const anonymous = (port: number) => edge(cleanup, port, { key: undefined, cert: undefined })

    assert.equal(await sendRefusal(anonymous(strict.port), [spooled('x')]), 'E_ATNA_CONNECT_FAILED')
    await anonymous(lenient.port).send([spooled('anonymous')])
    await until(() => lenient.received.length === 1, 'the anonymous message')
    assert.isUndefined(lenient.received[0].meta.peerCN)
    assert.equal(
      await sendRefusal(edge(cleanup, lenient.port, STRANGER), [spooled('forged')]),
      'E_ATNA_CONNECT_FAILED'
    )
    assert.deepEqual(lenient.labels(), ['anonymous'])
  })

  test('the sender refuses a repository its CA does not vouch for', async ({ assert, cleanup }) => {
    const repo = await repository(cleanup)
    const sender = edge(cleanup, repo.port, { ca: pem('other-ca.crt') })

    assert.equal(await sendRefusal(sender, [spooled('x')]), 'E_ATNA_CONNECT_FAILED')
    assert.deepEqual(repo.received, [])
  })

  test('a malformed frame closes that connection only', async ({ assert, cleanup }) => {
    const repo = await repository(cleanup)
    const sender = edge(cleanup, repo.port)
    await sender.send([spooled('before')])
    const broken = await rawClient(cleanup, repo.port)

    broken.write(Buffer.concat([frame(spooled('last good frame')), Buffer.from('x12 garbage')]))
    await once(broken, 'close')
    await sender.send([spooled('after')])
    await until(() => repo.received.length === 3, 'three messages')

    assert.sameMembers(repo.labels(), ['before', 'last good frame', 'after'])
    assert.deepEqual(repo.codes(), ['E_FRAME_MALFORMED'])
  })

  test('an oversized frame is refused before it is read', async ({ assert, cleanup }) => {
    const repo = await repository(cleanup, { maxFrameBytes: 4096 })
    const client = await rawClient(cleanup, repo.port)

    client.write('4097 ')
    await once(client, 'close')

    assert.deepEqual(repo.codes(), ['E_FRAME_TOO_LARGE'])
  })

  test('a frame cut off by the peer is reported as truncated', async ({ assert, cleanup }) => {
    const repo = await repository(cleanup)
    const client = await rawClient(cleanup, repo.port)

    client.end('500 <13>1 - - - - - - only part')
    await until(() => repo.errors.length > 0, 'the truncation report')

    assert.deepEqual(repo.codes(), ['E_FRAME_TRUNCATED'])
  })

  test('a message that is not an AuditMessage is reported and the next is still delivered', async ({
    assert,
    cleanup,
  }) => {
    const repo = await repository(cleanup)
    const sender = edge(cleanup, repo.port)

    await sender.send([
      formatSyslog({ message: 'kernel: eth0 link up' }),
      'not syslog at all',
      spooled('the real one'),
    ])
    await until(() => repo.received.length === 1, 'the audit message')

    assert.deepEqual(repo.labels(), ['the real one'])
    assert.deepEqual(repo.codes(), ['E_AUDIT_MESSAGE_INVALID', 'E_SYSLOG_MALFORMED'])
  })

  test('a failing handler is reported and the connection goes on', async ({ assert, cleanup }) => {
    const repo = await repository(cleanup, {}, (label) => {
      if (label === 'poison') {
        throw new Error('database is down')
      }
    })
    const sender = edge(cleanup, repo.port)

    await sender.send([spooled('poison'), spooled('fine')])
    await until(() => repo.received.length === 1, 'the second message')

    assert.deepEqual(repo.labels(), ['fine'])
    assert.deepEqual(repo.codes(), ['E_ATNA_HANDLER_FAILED'])
    assert.match(repo.errors[0].message, /database is down/)
  })

  test('a slow message from one edge does not hold up another edge', async ({
    assert,
    cleanup,
  }) => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const repo = await repository(cleanup, {}, (label) => (label === 'slow' ? gate : undefined))

    await edge(cleanup, repo.port).send([spooled('slow'), spooled('after slow')])
    await edge(cleanup, repo.port).send([spooled('fast')])
    await until(() => repo.received.length === 1, 'the other edge’s message')
    assert.deepEqual(repo.labels(), ['fast'])

    release()
    await until(() => repo.received.length === 3, 'the held messages')
    assert.deepEqual(repo.labels(), ['fast', 'slow', 'after slow'])
  })

  test('connections beyond maxConnections are dropped', async ({ assert, cleanup }) => {
    const repo = await repository(cleanup, { maxConnections: 1 })
    const first = edge(cleanup, repo.port)
    const second = edge(cleanup, repo.port)
    await first.send([spooled('first')])

    assert.equal(await sendRefusal(second, [spooled('second')]), 'E_ATNA_CONNECT_FAILED')
    assert.include(repo.codes(), 'E_ATNA_TOO_MANY_CONNECTIONS')

    await first.close()
    await until(() => repo.receiver.connectionCount === 0, 'the first connection to close')
    await second.send([spooled('second, once there is room')])
    await until(() => repo.received.length === 2, 'both messages')
    assert.deepEqual(repo.labels(), ['first', 'second, once there is room'])
  })

  test('an idle connection is closed and the sender reconnects on its next send', async ({
    assert,
    cleanup,
  }) => {
    const repo = await repository(cleanup, { idleTimeoutMs: 150 })
    const sender = edge(cleanup, repo.port)

    await sender.send([spooled('morning')])
    await until(() => !sender.connected, 'the idle connection to close')
    await sender.send([spooled('afternoon')])
    await until(() => repo.received.length === 2, 'both messages')

    assert.deepEqual(repo.labels(), ['morning', 'afternoon'])
  })

  test('a handler slower than the idle timeout loses nothing', async ({ assert, cleanup }) => {
    const repo = await repository(cleanup, { idleTimeoutMs: 100 }, () => {
      return new Promise((resolve) => setTimeout(resolve, 15))
    })
    const labels = Array.from({ length: 60 }, (_, index) => `busy ${index}`)

    await edge(cleanup, repo.port).send(labels.map(spooled))
    await until(() => repo.received.length === 60, 'every message', 5_000)

    assert.deepEqual(repo.labels(), labels)
    assert.deepEqual(repo.errors, [])
  })

  test('a stopped repository can start again and the sender reconnects', async ({
    assert,
    cleanup,
  }) => {
    const port = await freePort()
    const repo = await repository(cleanup, { port })
    const sender = edge(cleanup, port)
    await sender.send([spooled('before the restart')])
    await until(() => repo.received.length === 1, 'the first message')

    await repo.receiver.stop()
    await until(() => !sender.connected, 'the sender to see the connection close')
    assert.isNull(repo.receiver.port)
    assert.equal(await sendRefusal(sender, [spooled('while down')]), 'E_ATNA_CONNECT_FAILED')

    assert.equal(await repo.receiver.start(), port)
    await sender.send([spooled('after the restart')])
    await until(() => repo.received.length === 2, 'the second message')
    assert.deepEqual(repo.labels(), ['before the restart', 'after the restart'])
  })

  test('a repository that never answers the handshake times out', async ({ assert, cleanup }) => {
    const port = await listener(cleanup, createServer())
    const sender = edge(cleanup, port, { connectTimeoutMs: 200 })

    assert.equal(await sendRefusal(sender, [spooled('x')]), 'E_ATNA_TIMEOUT')
    assert.isFalse(sender.connected)
  })

  test('a repository that stops reading makes the write time out', async ({ assert, cleanup }) => {
    const stalled = createTlsServer({ ...SERVER, requestCert: true })
    stalled.on('secureConnection', (socket) => socket.pause())
    const port = await listener(cleanup, stalled)
    const sender = edge(cleanup, port, { writeTimeoutMs: 300 })
    const big = 'x'.repeat(1024 * 1024)

    assert.equal(
      await sendRefusal(
        sender,
        Array.from({ length: 24 }, () => big)
      ),
      'E_ATNA_TIMEOUT'
    )
    assert.isFalse(sender.connected)
  })

  test('a closed sender refuses to send', async ({ assert, cleanup }) => {
    const repo = await repository(cleanup)
    const sender = edge(cleanup, repo.port)
    await sender.send([spooled('last words')])
    await sender.close()

    assert.equal(await sendRefusal(sender, [spooled('too late')]), 'E_ATNA_CLOSED')
    await until(() => repo.received.length === 1, 'the message sent before closing')
  })
})
