import { networkInterfaces } from 'node:os'
import { connect } from 'node:net'
import { request } from 'node:http'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { bootFailure, freePort, startNode, type NodeProcess } from '#tests/helpers/node_process'

const SECRET = 'per-launch-secret-for-this-test'

function lanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address
}

function canConnect(host: string, port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 1000 })
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
    socket.on('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url)
  return response.json()
}

/** fetch() will not send a forged Host header; a raw request can, as a rebinding page would. */
function statusWithHost(url: string, host: string, headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    const req = request(url, { headers: { ...headers, host } }, (response) => {
      response.resume()
      resolve(response.statusCode!)
    })
    req.on('error', reject)
    req.end()
  })
}

test.group('Roles: an iCDR and a gateway', (group) => {
  let icdr: NodeProcess
  let gateway: NodeProcess
  group.setup(async () => {
    ;[icdr, gateway] = await Promise.all([
      startNode({ APP_ROLE: 'icdr' }),
      startNode({ APP_ROLE: 'gateway' }),
    ])
    return async () => {
      await Promise.all([icdr.stop(), gateway.stop()])
    }
  })

  test('the iCDR reports its role, version, store and queue', async ({ assert }) => {
    const response = await fetch(`${icdr.url}/health`)
    assert.equal(response.status, 200)
    const report = (await response.json()) as any
    assert.containsSubset(report, {
      status: 'ok',
      role: 'icdr',
      title: 'iCDR server',
      checks: {
        database: { status: 'ok', connection: 'sqlite' },
        queue: { status: 'ok', driver: 'inline' },
      },
    })
    assert.match(report.version, /^\d+\.\d+\.\d+/)
  })

  test('the gateway keeps its jobs in a SQLite outbox', async ({ assert }) => {
    const report = await getJson(`${gateway.url}/health`)
    assert.containsSubset(report, {
      role: 'gateway',
      checks: { database: { status: 'ok' }, queue: { status: 'ok', driver: 'outbox' } },
    })
  })

  test('both serve the LAN API', async ({ assert }) => {
    for (const node of [icdr, gateway]) {
      const response = await fetch(`${node.url}/api/v1/node`)
      assert.equal(response.status, 200)
    }
    const about = await getJson(`${gateway.url}/api/v1/node`)
    assert.deepEqual(
      about.surfaces.map((entry: { surface: string }) => entry.surface),
      ['api', 'fhir', 'clinic', 'syncCentre']
    )
  })

  test('a portal reports the iCDR it serves from, and 503 when it is unreachable', async ({
    assert,
  }) => {
    const portal = await startNode({ APP_ROLE: 'portal', ICDR_URL: icdr.url })
    const deadPort = await freePort()
    const orphan = await startNode({ APP_ROLE: 'portal', ICDR_URL: `http://127.0.0.1:${deadPort}` })
    try {
      const up = await fetch(`${portal.url}/health`)
      assert.equal(up.status, 200)
      assert.containsSubset(await up.json(), {
        role: 'portal',
        checks: { database: { status: 'none' }, icdr: { status: 'ok' } },
      })
      const down = await fetch(`${orphan.url}/health`)
      assert.equal(down.status, 503)
      assert.containsSubset(await down.json(), {
        status: 'down',
        checks: { icdr: { status: 'down' } },
      })
      const api = await fetch(`${portal.url}/api/v1/node`)
      assert.equal(api.status, 404)
    } finally {
      await Promise.all([portal.stop(), orphan.stop()])
    }
  })
})

test.group('Roles: the desktop shell contract', (group) => {
  let desktop: NodeProcess
  group.setup(async () => {
    desktop = await startNode({ APP_ROLE: 'desktop', SHELL_SECRET: SECRET })
    return () => desktop.stop().then(() => {})
  })

  test('refuses requests without the per-launch secret', async ({ assert }) => {
    const response = await fetch(`${desktop.url}/health`)
    assert.equal(response.status, 403)
    const wrong = await fetch(`${desktop.url}/health`, { headers: { 'SDB-Magic': 'guess' } })
    assert.equal(wrong.status, 403)
  })

  test('answers its own window, which sends the secret', async ({ assert }) => {
    const response = await fetch(`${desktop.url}/health`, { headers: { 'SDB-Magic': SECRET } })
    assert.equal(response.status, 200)
    const report = (await response.json()) as { role: string }
    assert.equal(report.role, 'desktop')
  })

  test('accepts the secret in the user agent, as the Android WebView sends it', async ({
    assert,
  }) => {
    const response = await fetch(`${desktop.url}/health`, {
      headers: { 'User-Agent': `Mozilla/5.0 (Linux; Android 14) SDB-Magic/${SECRET}` },
    })
    assert.equal(response.status, 200)
  })

  test('refuses a foreign Host or Origin even with the secret', async ({ assert }) => {
    const rebound = await statusWithHost(`${desktop.url}/health`, `evil.example:${desktop.port}`, {
      'SDB-Magic': SECRET,
    })
    assert.equal(rebound, 403)
    const otherPort = await statusWithHost(`${desktop.url}/health`, '127.0.0.1:1', {
      'SDB-Magic': SECRET,
    })
    assert.equal(otherPort, 403)
    const crossSite = await fetch(`${desktop.url}/health`, {
      headers: { 'SDB-Magic': SECRET, 'Origin': 'http://evil.example' },
    })
    assert.equal(crossSite.status, 403)
  })

  test('has no LAN routes: API and FHIR answer 404', async ({ assert }) => {
    for (const path of ['/api/v1/node', '/fhir/metadata', '/fhir/Patient']) {
      const response = await fetch(`${desktop.url}${path}`, { headers: { 'SDB-Magic': SECRET } })
      assert.equal(response.status, 404, path)
    }
  })

  test('audits every refused request, without the secret it was given', async ({ assert }) => {
    await fetch(`${desktop.url}/auth/session`, { headers: { 'SDB-Magic': 'a-wrong-guess' } })
    const connection = `desktop_${desktop.port}`
    db.manager.add(connection, {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: desktop.sqlitePath },
    })
    try {
      const spooled = await db.connection(connection).from('audit_spool').orderBy('id')
      const refusals = spooled.filter((row) => row.message.includes('shell-secret-failure'))
      assert.isAtLeast(refusals.length, 1)
      assert.include(refusals.at(-1).message, 'GET /auth/session')
      for (const row of spooled) {
        assert.notInclude(row.message, 'a-wrong-guess')
        assert.notInclude(row.message, SECRET)
      }
    } finally {
      await db.manager.close(connection)
    }
  })

  test('listens on 127.0.0.1 only', async ({ assert }) => {
    const address = lanAddress()
    assert.isTrue(await canConnect('127.0.0.1', desktop.port))
    if (address) {
      assert.isFalse(await canConnect(address, desktop.port))
    }
  })
})

test.group('Roles: the shell secret from a file descriptor', () => {
  test('the core reads its secret from the descriptor the shell names, not its environment', async ({
    assert,
  }) => {
    const desktop = await startNode({ APP_ROLE: 'desktop', SHELL_SECRET_FD: '3' }, { fd3: SECRET })
    try {
      const stranger = await fetch(`${desktop.url}/health`)
      assert.equal(stranger.status, 403)
      const window = await fetch(`${desktop.url}/health`, { headers: { 'SDB-Magic': SECRET } })
      assert.equal(window.status, 200)
    } finally {
      await desktop.stop()
    }
  })
})

test.group('Roles: the Android core', () => {
  test('boots on loopback and answers only its WebView, which sends the secret', async ({
    assert,
  }) => {
    const android = await startNode({ APP_ROLE: 'android', SHELL_SECRET: SECRET })
    try {
      const stranger = await fetch(`${android.url}/health`)
      assert.equal(stranger.status, 403)
      const webView = await fetch(`${android.url}/health`, {
        headers: { 'User-Agent': `Mozilla/5.0 (Linux; Android 14; wv) SDB-Magic/${SECRET}` },
      })
      assert.equal(webView.status, 200)
      const api = await fetch(`${android.url}/fhir/metadata`, { headers: { 'SDB-Magic': SECRET } })
      assert.equal(api.status, 404)
    } finally {
      await android.stop()
    }
  })
})

test.group('Roles: refusing to boot', () => {
  test('an unknown APP_ROLE stops the process with one line saying what to set', async ({
    assert,
  }) => {
    const { code, output } = await bootFailure({ APP_ROLE: 'server', APP_KEY: 'k'.repeat(32) })
    assert.equal(code, 1)
    assert.equal(
      output.trim(),
      'Outpost cannot start: APP_ROLE="server" is not a role: set it to one of icdr, gateway, desktop, android, portal'
    )
  })

  test('a missing APP_ROLE is named', async ({ assert }) => {
    const { code, output } = await bootFailure({ APP_KEY: 'k'.repeat(32) })
    assert.equal(code, 1)
    assert.match(output.trim(), /^Outpost cannot start: set APP_ROLE to one of icdr, gateway/)
  })

  test('a desktop without its shell secret does not start', async ({ assert }) => {
    const { code, output } = await bootFailure({ APP_ROLE: 'desktop', APP_KEY: 'k'.repeat(32) })
    assert.equal(code, 1)
    assert.equal(output.split('\n').filter(Boolean).length, 1)
    assert.include(output, 'set SHELL_SECRET')
  })
})

test.group('Health: dependencies down', () => {
  test('an iCDR whose Redis is unreachable answers 503 naming the queue', async ({ assert }) => {
    const deadPort = await freePort()
    const icdr = await startNode({
      APP_ROLE: 'icdr',
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(deadPort),
    })
    try {
      const response = await fetch(`${icdr.url}/health`)
      assert.equal(response.status, 503)
      assert.containsSubset(await response.json(), {
        status: 'down',
        checks: { database: { status: 'ok' }, queue: { status: 'down', driver: 'bullmq' } },
      })
    } finally {
      await icdr.stop()
    }
  })
})
