import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { createAuditRecord } from '#interop/atna/audit_record'
import { frame } from '#interop/atna/octet_counting'
import { ApiClientService } from '#services/api_client_service'
import { auditSyslogMessage } from '#services/audit_sinks'
import { HttpSession } from '#tests/helpers/http_session'
import { freePort, startNode, type NodeProcess } from '#tests/helpers/node_process'

const run = randomUUID().slice(0, 8)
const TLS = join(process.cwd(), 'tests', 'fixtures', 'tls')
const tlsFile = (name: string) => join(TLS, name)

/** The iCDR as an IHE ATNA audit record repository, on its syslog-over-TLS port. */
async function startRepository(port: number) {
  const icdr = await startNode({
    APP_ROLE: 'icdr',
    IMPORT_SHIPPED_PACKS: 'false',
    AUDIT_RECEIVER_PORT: String(port),
    AUDIT_RECEIVER_HOST: '127.0.0.1',
    AUDIT_TLS_CA: tlsFile('ca.crt'),
    AUDIT_TLS_CERT: tlsFile('server.crt'),
    AUDIT_TLS_KEY: tlsFile('server.key'),
  })
  const connection = `icdr_${port}`
  db.manager.add(connection, {
    ...app.config.get<any>('database.connections.sqlite'),
    connection: { filename: icdr.sqlitePath },
  })
  const clients = new ApiClientService(db.connection(connection) as any)
  const token = await clients.register('auditor', ['audit'])
  const auditor = new HttpSession(icdr.url, { authorization: `Bearer ${token}` })
  return {
    icdr,
    auditor,
    stop: async () => {
      await db.manager.close(connection)
      await icdr.stop()
    },
  }
}

/** An edge sending its audit trail to the repository on `port`, as node `source`. */
function startEdge(port: number, source: string) {
  return startNode({
    APP_ROLE: 'gateway',
    IMPORT_SHIPPED_PACKS: 'false',
    AUDIT_SOURCE_ID: source,
    AUDIT_REPOSITORY_HOST: '127.0.0.1',
    AUDIT_REPOSITORY_PORT: String(port),
    AUDIT_TLS_CA: tlsFile('ca.crt'),
    AUDIT_TLS_CERT: tlsFile('client.crt'),
    AUDIT_TLS_KEY: tlsFile('client.key'),
  })
}

/** A raw TLS connection to the repository, with the client certificate of a real node. */
function rawConnection(port: number) {
  return connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: readFileSync(tlsFile('ca.crt')),
    cert: readFileSync(tlsFile('client.crt')),
    key: readFileSync(tlsFile('client.key')),
  })
}

function closed(socket: ReturnType<typeof connect>) {
  return new Promise<void>((resolve) => socket.on('close', () => resolve()))
}

async function eventsOf(auditor: HttpSession, user: string) {
  const answer = await auditor.request(
    'GET',
    `/api/v1/audit-events?user=${encodeURIComponent(user)}`
  )
  return answer.json.events as any[]
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 10_000
  let value = await read()
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}

test.group('ATNA audit over syslog/TLS', (group) => {
  let repositoryPort: number
  let repository: Awaited<ReturnType<typeof startRepository>>
  let edge: NodeProcess

  group.setup(async () => {
    repositoryPort = await freePort()
    repository = await startRepository(repositoryPort)
    edge = await startEdge(repositoryPort, `edge-${run}`)
    return async () => {
      await edge.stop()
      await repository.stop()
    }
  })

  test('an edge forwards its audit messages and the iCDR stores them, searchable', async ({
    assert,
  }) => {
    const username = `visitor-${run}`
    await new HttpSession(edge.url).login(username, 'any password')
    const forwarded = await edge.ace(['audit:forward'])
    assert.equal(forwarded.code, 0, forwarded.output)

    const events = await eventually(
      () => eventsOf(repository.auditor, username),
      (found) => found.length > 0
    )
    assert.lengthOf(events, 1)
    assert.equal(events[0].kind, 'login')
    assert.equal(events[0].outcome, 4)
    assert.equal(events[0].source.auditSourceId, `edge-${run}`)

    const fhir = await repository.auditor.request('GET', `/fhir/AuditEvent?agent=${username}`)
    assert.equal(fhir.json.total, 1)
    assert.equal(fhir.json.entry[0].resource.outcome, '4')
  })

  test('malformed frames close only their own connection; the receiver keeps serving', async ({
    assert,
  }) => {
    for (const garbage of ['not-a-length hello\n', '99999999999 x', '0 ']) {
      const socket = rawConnection(repositoryPort)
      socket.write(garbage)
      await closed(socket)
    }
    const username = `after-garbage-${run}`
    const record = createAuditRecord('login', {
      activeParticipants: [{ userId: username, isRequestor: true }],
      source: { auditSourceId: 'raw-sender' },
    })
    const socket = rawConnection(repositoryPort)
    socket.write(frame(auditSyslogMessage(record)))
    socket.write(frame('<85>1 - - - - - - not an audit message'))
    const events = await eventually(
      () => eventsOf(repository.auditor, username),
      (found) => found.length > 0
    )
    socket.end()
    assert.lengthOf(events, 1)
    assert.equal(events[0].id, record.id)
    const health = await fetch(`${repository.icdr.url}/health`)
    assert.equal(health.status, 200)
  })

  test('a client whose certificate the repository does not trust is refused', async ({
    assert,
  }) => {
    const username = `untrusted-${run}`
    const record = createAuditRecord('login', {
      activeParticipants: [{ userId: username, isRequestor: true }],
      source: { auditSourceId: 'untrusted' },
    })
    const socket = connect({
      host: '127.0.0.1',
      port: repositoryPort,
      servername: 'localhost',
      ca: readFileSync(tlsFile('ca.crt')),
      cert: readFileSync(tlsFile('untrusted-client.crt')),
      key: readFileSync(tlsFile('untrusted-client.key')),
    })
    socket.on('error', () => {})
    socket.write(frame(auditSyslogMessage(record)))
    await closed(socket)
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.lengthOf(await eventsOf(repository.auditor, username), 0)
  })

  test('while the repository is down the edge spools; later it delivers in order', async ({
    assert,
  }) => {
    const laterPort = await freePort()
    const offlineEdge = await startEdge(laterPort, `spooling-edge-${run}`)
    const users = [1, 2, 3].map((n) => `spooled-${n}-${run}`)
    try {
      for (const username of users) {
        await new HttpSession(offlineEdge.url).login(username, 'any password')
      }
      const failed = await offlineEdge.ace(['audit:forward'])
      assert.equal(failed.code, 1)
      assert.include(failed.output, '3 still spooled')

      const later = await startRepository(laterPort)
      try {
        const delivered = await offlineEdge.ace(['audit:forward'])
        assert.equal(delivered.code, 0, delivered.output)
        const connection = `icdr_${laterPort}`
        const rows = await eventually(
          () =>
            db
              .connection(connection)
              .from('audit_events')
              .where('source_id', `spooling-edge-${run}`)
              .orderBy('id'),
          (found) => found.length >= 3
        )
        assert.deepEqual(
          rows.map((row) => row.user_id),
          users
        )
      } finally {
        await later.stop()
      }
    } finally {
      await offlineEdge.stop()
    }
  }).timeout(90_000)
})
