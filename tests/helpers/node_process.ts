import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'

export interface NodeProcess {
  url: string
  port: number
  /** The node's SQLite store. */
  sqlitePath: string
  output: () => string
  stop: () => Promise<number | null>
  /** Runs `node ace <args>` against this node's store and settings, as an operator would. */
  ace: (args: string[]) => Promise<{ code: number | null; output: string }>
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/**
 * Boots a real Outpost node (`node bin/server.js`) in its own process, the
 * way production runs one, on a free port with its own SQLite file.
 */
export async function startNode(
  env: Record<string, string>,
  options: { fd3?: string } = {}
): Promise<NodeProcess> {
  const port = Number(env.PORT ?? (await freePort()))
  const dir = await mkdtemp(join(tmpdir(), 'outpost-node-'))
  const sqlitePath = env.SQLITE_PATH ?? join(dir, 'store.sqlite')
  const nodeEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    APP_KEY: 'a-test-app-key-of-thirty-two-chars!',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    /* Many gateways run at once in tests: no listener on the fixed MLLP port unless asked. */
    HL7_MLLP_PORT: 'off',
    /* Tests sync when they say so (`node ace sync:run`), not on a timer. */
    SYNC_INTERVAL_SECONDS: '0',
    ...env,
    SQLITE_PATH: sqlitePath,
  }
  const child = spawn(process.execPath, ['bin/server.js'], {
    cwd: app.makePath(),
    env: nodeEnv,
    stdio:
      options.fd3 === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', 'pipe'],
  })
  if (options.fd3 !== undefined) {
    const pipe = child.stdio[3] as NodeJS.WritableStream
    pipe.end(options.fd3)
  }
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const url = `http://127.0.0.1:${port}`
  await waitForHealth(child, url, () => output)
  return {
    url,
    port,
    sqlitePath,
    output: () => output,
    stop: () => stopChild(child),
    ace: (args) => runAce(args, nodeEnv),
  }
}

export function runAce(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['ace', ...args], {
      cwd: app.makePath(),
      env: { ...env, NO_COLOR: '1' } as NodeJS.ProcessEnv,
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

/** Runs a node that is expected to refuse to boot; resolves with its exit code and output. */
export function bootFailure(env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/server.js'], {
      cwd: app.makePath(),
      env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env } as NodeJS.ProcessEnv,
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

async function waitForHealth(child: ChildProcess, url: string, output: () => string) {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`node exited with ${child.exitCode} before answering:\n${output()}`)
    }
    try {
      const response = await fetch(`${url}/health`, { headers: { host: new URL(url).host } })
      if (response.status < 500 || response.status === 503) {
        return
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  child.kill('SIGKILL')
  throw new Error(`node did not answer on ${url} within 30 s:\n${output()}`)
}

function stopChild(child: ChildProcess) {
  return new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) {
      return resolve(child.exitCode)
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
    child.kill('SIGTERM')
  })
}
