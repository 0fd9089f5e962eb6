import { test } from '@japa/runner'
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConnection } from 'node:net'
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls'
import { request as httpsRequest, type RequestOptions } from 'node:https'
import type { IncomingHttpHeaders } from 'node:http'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import { roleSettingProblems } from '#roles/settings_check'
import { freePort, startNode, type NodeProcess } from '#tests/helpers/node_process'

const run = promisify(execFile)
const gatewayDir = () => app.makePath('edge', 'gateway')

/** KEY=value lines of an environment file, comments and blank lines left out. */
async function readEnvFile(path: string): Promise<Record<string, string>> {
  const text = await readFile(path, 'utf8')
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  )
}

/** The settings start/env.ts validates, read from its schema. */
async function knownSettings(): Promise<string[]> {
  const source = await readFile(app.makePath('start', 'env.ts'), 'utf8')
  return [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1])
}

/** The MLLP listener starts once the HTTP server is up: wait until it accepts connections. */
async function listening(port: number) {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (accepted) {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`nothing listens on MLLP port ${port}`)
}

/** Opens a TLS connection to the MLLP listener; resolves with how the handshake ended. */
function handshake(options: ConnectionOptions) {
  return new Promise<{ ok: boolean; authorized?: boolean; error?: string }>((resolve) => {
    const socket = connect(options)
    socket.once('secureConnect', () => {
      /* TLS 1.3 reports a refused client certificate after the handshake: wait for it. */
      socket.once('error', (error) => resolve({ ok: false, error: error.message }))
      socket.once('close', () => resolve({ ok: false, error: 'closed by the gateway' }))
      setTimeout(() => {
        resolve({ ok: true, authorized: socket.authorized })
        socket.destroy()
      }, 300)
    })
    socket.once('error', (error) => resolve({ ok: false, error: error.message }))
  })
}

test.group('Gateway service files', () => {
  test('the example environment names known settings only and passes the role checks', async ({
    assert,
  }) => {
    const settings = await readEnvFile(join(gatewayDir(), 'gateway.env.example'))
    const known = await knownSettings()
    assert.isAbove(known.length, 30)
    for (const key of Object.keys(settings)) {
      assert.include(known, key, `${key} is not a setting of the core`)
    }
    assert.equal(settings.APP_ROLE, 'gateway')
    assert.equal(settings.HOST, '127.0.0.1', 'the core is reached through the TLS proxy')
    assert.equal(settings.SESSION_SECURE_COOKIE, 'true')
    assert.deepEqual(roleSettingProblems(settings), [])
  })

  test('systemd accepts the unit', async ({ assert }) => {
    const unit = await readFile(join(gatewayDir(), 'outpost-gateway.service'), 'utf8')
    const dir = await mkdtemp(join(tmpdir(), 'outpost-unit-'))
    /* The unit as installed, with this checkout standing in for /opt/outpost. */
    const installed = unit
      .replaceAll('/opt/outpost/node_modules/node/bin/node', process.execPath)
      .replaceAll('/etc/outpost/gateway.env', join(dir, 'gateway.env'))
    await writeFile(join(dir, 'gateway.env'), 'APP_ROLE=gateway\n')
    await writeFile(join(dir, 'outpost-gateway.service'), installed)
    const result = await run('systemd-analyze', ['verify', join(dir, 'outpost-gateway.service')])
      .then(({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }))
      .catch((error) => ({ code: error.code, output: `${error.stdout}${error.stderr}` }))
    assert.equal(result.code, 0, result.output)
    assert.notMatch(result.output, /Unknown (key|section)|Failed to parse|Invalid/i)
  }).skip(process.platform !== 'linux', 'systemd units are Linux only')
})

/**
 * A gateway booted from gateway.env.example, with certificates from
 * make-lan-certs.sh. No audit repository, iCDR or update check is reachable
 * from a test, and the test picks its own ports and store: those settings
 * stay out.
 */
test.group('Gateway on the clinic LAN', (group) => {
  let certs: string
  let gateway: NodeProcess
  let mllpPort: number

  group.setup(async () => {
    certs = await mkdtemp(join(tmpdir(), 'outpost-lan-certs-'))
    await run('bash', [
      join(gatewayDir(), 'make-lan-certs.sh'),
      certs,
      'localhost',
      '127.0.0.1',
      'lab-analyser',
    ])
    const example = await readEnvFile(join(gatewayDir(), 'gateway.env.example'))
    const replaced = new Set(['ICDR_URL', 'PORT', 'SQLITE_PATH'])
    const settings = Object.fromEntries(
      Object.entries(example).filter(
        ([key]) => !key.startsWith('AUDIT_') && !key.startsWith('OTA_') && !replaced.has(key)
      )
    )
    mllpPort = await freePort()
    gateway = await startNode({
      ...settings,
      APP_KEY: 'a-gateway-app-key-of-32-characters!',
      IMPORT_SHIPPED_PACKS: 'false',
      OTA_CHECK_INTERVAL_SECONDS: '0',
      HL7_MLLP_PORT: String(mllpPort),
      HL7_MLLP_HOST: '127.0.0.1',
      HL7_ALLOW_FROM: '127.0.0.1',
      HL7_TLS_CERT: join(certs, 'gateway.crt'),
      HL7_TLS_KEY: join(certs, 'gateway.key'),
      HL7_TLS_CA: join(certs, 'clinic-ca.crt'),
    })
    return async () => {
      await gateway.stop()
    }
  })

  test('MLLP takes senders with a clinic certificate over TLS 1.2+ and refuses the others', async ({
    assert,
  }) => {
    await listening(mllpPort).catch((error) => {
      throw new Error(`${error.message}\n${gateway.output()}`)
    })
    const ca = await readFile(join(certs, 'clinic-ca.crt'))
    const base = { host: '127.0.0.1', port: mllpPort, servername: 'localhost', ca }
    const sender = await handshake({
      ...base,
      cert: await readFile(join(certs, 'lab-analyser.crt')),
      key: await readFile(join(certs, 'lab-analyser.key')),
    })
    assert.deepEqual(sender, { ok: true, authorized: true })

    const anonymous = await handshake(base)
    assert.isFalse(anonymous.ok, 'a sender without a clinic certificate is refused')
    assert.notInclude(anonymous.error, 'ECONNREFUSED')

    const oldTls = await handshake({ ...base, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })
    assert.isFalse(oldTls.ok, 'TLS before 1.2 is refused')
    assert.notInclude(oldTls.error, 'ECONNREFUSED')
  })

  test('nginx with the example site serves the gateway over HTTPS only', async ({ assert }) => {
    const front = await startNginx({ certs, upstreamPort: gateway.port })
    try {
      const ca = await readFile(join(certs, 'clinic-ca.crt'))
      const health = await httpsGet({ port: front.httpsPort, path: '/health', ca })
      assert.equal(health.status, 200, health.body)
      assert.include(JSON.parse(health.body), { status: 'ok', role: 'gateway' })
      assert.equal(health.protocol, 'TLSv1.3')
      assert.match(health.headers['strict-transport-security'] as string, /max-age=\d+/)

      const oldTls = await httpsGet({
        port: front.httpsPort,
        path: '/health',
        ca,
        maxVersion: 'TLSv1.1',
        minVersion: 'TLSv1',
      }).catch((error) => error)
      assert.instanceOf(oldTls, Error, 'TLS before 1.2 is refused')

      const plain = await fetch(`http://127.0.0.1:${front.httpPort}/health`, { redirect: 'manual' })
      assert.equal(plain.status, 301)
      assert.equal(plain.headers.get('location'), 'https://127.0.0.1/health')
    } finally {
      await front.stop()
    }
  })
})

/**
 * Runs nginx (single process, in the foreground) with the example site, its
 * ports, certificate paths and upstream changed to this test's.
 */
async function startNginx(options: { certs: string; upstreamPort: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'outpost-nginx-'))
  const httpPort = await freePort()
  const httpsPort = await freePort()
  const example = await readFile(join(gatewayDir(), 'outpost-gateway.nginx.conf'), 'utf8')
  const site = example
    .split('\n')
    .filter((line) => !line.includes('[::]'))
    .join('\n')
    .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
    .replaceAll('/etc/outpost/tls', options.certs)
    .replaceAll('gateway.clinic.lan', 'localhost')
    .replaceAll('127.0.0.1:3333', `127.0.0.1:${options.upstreamPort}`)
  await writeFile(join(dir, 'site.conf'), site)
  await writeFile(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'master_process off;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events {}',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (kind) => `  ${kind}_temp_path ${dir}/${kind};`
      ),
      `  include ${dir}/site.conf;`,
      '}',
    ].join('\n')
  )
  /* Debian's nginx is in /usr/sbin, which a non-login PATH may lack. */
  const binary = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx'
  const nginx = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' })
  let output = ''
  nginx.on('error', (error) => (output += error.message))
  nginx.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise((resolve) => nginx.on('exit', resolve))
  try {
    await listening(httpsPort)
  } catch (error) {
    nginx.kill('SIGKILL')
    throw new Error(`nginx did not start: ${output}\n${error.message}`)
  }
  return {
    httpPort,
    httpsPort,
    stop: async () => {
      nginx.kill('SIGQUIT')
      await exited
    },
  }
}

function httpsGet(options: RequestOptions & { port: number; path: string; ca: Buffer }) {
  return new Promise<{
    status: number
    headers: IncomingHttpHeaders
    body: string
    protocol: string | null
  }>((resolve, reject) => {
    const request = httpsRequest(
      { host: '127.0.0.1', servername: 'localhost', agent: false, ...options },
      (response) => {
        let body = ''
        response.on('data', (chunk) => (body += chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            body,
            protocol: (response.socket as TLSSocket).getProtocol(),
          })
        )
      }
    )
    request.on('error', reject)
    request.end()
  })
}
