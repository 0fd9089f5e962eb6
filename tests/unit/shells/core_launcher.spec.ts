import { test } from '@japa/runner'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:net'
import {
  coreEnvironment,
  CoreStartError,
  launchCore,
  type CoreLaunchOptions,
} from '#shells/core_launcher'
import { freeLoopbackPort } from '#shells/loopback_port'
import { generateSecret } from '#shells/secret'

/**
 * Small stand-in cores, real Node processes on real ports: they answer the
 * way the Outpost core does (403 without the secret) so the launcher's
 * process handling can be checked in milliseconds. The real core is started
 * through the same launcher in tests/functional/shell_desktop.spec.ts.
 */
const CORES = {
  'healthy.mjs': `
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
const secret = readFileSync(Number(process.env.SHELL_SECRET_FD), 'utf8')
console.log('core listening')
createServer((request, response) => {
  if (request.headers['sdb-magic'] !== secret) {
    response.writeHead(403)
    return response.end('refused')
  }
  const body = request.url === '/env' ? process.env : { status: 'ok', role: process.env.APP_ROLE }
  response.writeHead(200, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}).listen(Number(process.env.PORT), process.env.HOST)
process.on('SIGTERM', () => {
  console.log('stopping on SIGTERM')
  process.exit(0)
})`,
  'crashes.mjs': `console.error('Outpost cannot start: set APP_KEY'); process.exit(1)`,
  'silent.mjs': `setInterval(() => {}, 1000)`,
  'refuses.mjs': `
import { createServer } from 'node:http'
createServer((request, response) => {
  response.writeHead(403)
  response.end('{"error":{"code":"E_SHELL_SECRET"}}')
}).listen(Number(process.env.PORT), process.env.HOST)`,
  'stubborn.mjs': `
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
const secret = readFileSync(Number(process.env.SHELL_SECRET_FD), 'utf8')
process.on('SIGTERM', () => console.log('ignoring SIGTERM'))
createServer((request, response) => {
  response.writeHead(request.headers['sdb-magic'] === secret ? 200 : 403)
  response.end(JSON.stringify({ status: 'ok', role: process.env.APP_ROLE }))
}).listen(Number(process.env.PORT), process.env.HOST)`,
}

async function coresDir() {
  const dir = await mkdtemp(join(tmpdir(), 'outpost-shell-'))
  for (const [name, source] of Object.entries(CORES)) {
    await writeFile(join(dir, name), source)
  }
  return dir
}

async function options(dir: string, entry: keyof typeof CORES): Promise<CoreLaunchOptions> {
  return {
    nodePath: process.execPath,
    coreRoot: dir,
    entry,
    port: await freeLoopbackPort(),
    secret: generateSecret(),
    appKey: 'a-desktop-app-key-of-32-characters',
    sqlitePath: join(dir, 'desktop.sqlite'),
    logFile: join(dir, `${entry}.log`),
    healthTimeoutMs: 5000,
  }
}

function accepts(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

function alive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test.group('Desktop shell: starting and stopping the core', (group) => {
  let dir: string
  group.setup(async () => {
    dir = await coresDir()
  })

  test('the core gets the secret through a pipe, never through its environment', async ({
    assert,
  }) => {
    const launch = await options(dir, 'healthy.mjs')
    launch.parentEnv = {
      PATH: '/usr/bin',
      NODE_OPTIONS: '--require /tmp/injected.js',
      ELECTRON_RUN_AS_NODE: '1',
      SHELL_SECRET: 'inherited',
    }
    const core = await launchCore(launch)
    try {
      assert.equal(core.origin, `http://127.0.0.1:${launch.port}`)
      const response = await fetch(`${core.origin}/env`, {
        headers: { 'SDB-Magic': launch.secret },
      })
      const env = await response.json()
      assert.equal(response.status, 200)
      assert.include(env, {
        APP_ROLE: 'desktop',
        HOST: '127.0.0.1',
        PORT: String(launch.port),
        SHELL_SECRET_FD: '3',
        SQLITE_PATH: launch.sqlitePath,
        PATH: '/usr/bin',
      })
      for (const key of ['SHELL_SECRET', 'NODE_OPTIONS', 'ELECTRON_RUN_AS_NODE']) {
        assert.notProperty(env, key)
      }
      assert.notInclude(JSON.stringify(env), launch.secret)
      const refused = await fetch(`${core.origin}/health`)
      assert.equal(refused.status, 403)
    } finally {
      await core.stop()
    }
  })

  test('stopping the core ends the process and frees its port; a second stop is harmless', async ({
    assert,
  }) => {
    const launch = await options(dir, 'healthy.mjs')
    const core = await launchCore(launch)
    assert.isTrue(await accepts(launch.port))
    assert.equal(await core.stop(), 0)
    assert.equal(await core.stop(), 0)
    assert.isFalse(alive(core.pid))
    assert.isFalse(await accepts(launch.port))
    assert.include(core.output(), 'stopping on SIGTERM')
    assert.include(await readFile(launch.logFile!, 'utf8'), 'core listening')
  })

  test('a core that ignores the request to stop is killed after the grace period', async ({
    assert,
  }) => {
    const core = await launchCore({ ...(await options(dir, 'stubborn.mjs')), stopGraceMs: 300 })
    const started = Date.now()
    await core.stop()
    assert.isFalse(alive(core.pid))
    assert.isBelow(Date.now() - started, 3000)
    assert.include(core.output(), 'ignoring SIGTERM')
  })

  test('a core that exits at start is reported with what it printed', async ({ assert }) => {
    const error = await launchCore(await options(dir, 'crashes.mjs')).catch((caught) => caught)
    assert.instanceOf(error, CoreStartError)
    assert.equal(error.code, 'E_CORE_START')
    assert.include(error.message, 'stopped (exit code 1) before it was ready')
    assert.include(error.output, 'Outpost cannot start: set APP_KEY')
  })

  test('a core that never answers is stopped when the wait times out', async ({ assert }) => {
    const launch = { ...(await options(dir, 'silent.mjs')), healthTimeoutMs: 800 }
    const error = await launchCore(launch).catch((caught) => caught)
    assert.instanceOf(error, CoreStartError)
    assert.include(error.message, 'did not become ready within 1 s')
    const leftOver = await fetch(`http://127.0.0.1:${launch.port}/health`).catch(() => null)
    assert.isNull(leftOver)
  })

  test('a process that refuses the secret is given up at once, not waited for', async ({
    assert,
  }) => {
    const started = Date.now()
    const error = await launchCore(await options(dir, 'refuses.mjs')).catch((caught) => caught)
    assert.instanceOf(error, CoreStartError)
    assert.include(error.message, "refused the shell's secret")
    assert.isBelow(Date.now() - started, 4000)
  })

  test('a missing Node runtime is reported, not thrown as a crash', async ({ assert }) => {
    const launch = { ...(await options(dir, 'healthy.mjs')), nodePath: join(dir, 'no-such-node') }
    const error = await launchCore(launch).catch((caught) => caught)
    assert.instanceOf(error, CoreStartError)
    assert.include(error.output, 'ENOENT')
  })

  test('the environment names the store, the role and the loopback host, and turns MLLP off', ({
    assert,
  }) => {
    const env = coreEnvironment({
      nodePath: 'node',
      coreRoot: '/opt/outpost',
      port: 40001,
      secret: 'never-in-env',
      appKey: 'k'.repeat(32),
      sqlitePath: '/home/amina/.config/Outpost/desktop.sqlite',
      settings: { ICDR_URL: 'https://icdr.example.org', HOST: '0.0.0.0' },
      parentEnv: {},
    })
    assert.deepEqual(env, {
      ICDR_URL: 'https://icdr.example.org',
      NODE_ENV: 'production',
      APP_ROLE: 'desktop',
      HOST: '127.0.0.1',
      PORT: '40001',
      APP_KEY: 'k'.repeat(32),
      DB_CONNECTION: 'sqlite',
      SQLITE_PATH: '/home/amina/.config/Outpost/desktop.sqlite',
      HL7_MLLP_PORT: 'off',
      SHELL_SECRET_FD: '3',
    })
  })
})
