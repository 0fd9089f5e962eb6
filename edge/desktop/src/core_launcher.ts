import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import type { Writable } from 'node:stream'
import { SECRET_HEADER } from './secret.js'
import { LOOPBACK_HOST } from './loopback_port.js'
import { coreOrigin } from './origin_guard.js'

export type ShellRole = 'desktop' | 'android'

export interface CoreLaunchOptions {
  /** The Node 24 binary that runs the core. */
  nodePath: string
  /** The folder holding the core's package.json and bin/server.js. */
  coreRoot: string
  /** The entry script, relative to coreRoot. */
  entry?: string
  role?: ShellRole
  port: number
  secret: string
  appKey: string
  sqlitePath: string
  /** Further settings (already checked, see `shell_settings.ts`). */
  settings?: Record<string, string>
  /** The shell's own environment, from which only a few OS variables are passed on. */
  parentEnv?: NodeJS.ProcessEnv
  /** The core's output of this launch is written there too. */
  logFile?: string
  healthTimeoutMs?: number
  /** How long the core may take to stop before it is killed. */
  stopGraceMs?: number
}

export interface RunningCore {
  origin: string
  pid: number
  /** Settles when the core exits, for whatever reason. */
  exited: Promise<number | null>
  /** The last part of what the core printed. */
  output: () => string
  /** Asks the core to stop, kills it after the grace period; safe to call twice. */
  stop: () => Promise<number | null>
}

export class CoreStartError extends Error {
  code = 'E_CORE_START'
  constructor(
    message: string,
    public output: string
  ) {
    super(message)
  }
}

/** The file descriptor, in the core, of the pipe that carries the secret. */
export const SECRET_FD = 3

const KEPT_OUTPUT_CHARS = 16_000

/** OS variables the core may need (temporary folder, time zone, Windows system paths), nothing else. */
const PASSED_THROUGH = [
  'PATH',
  'HOME',
  'USERPROFILE',
  'SYSTEMROOT',
  'SystemRoot',
  'WINDIR',
  'TEMP',
  'TMP',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'TZ',
]

/**
 * The whole environment of the core. The shell's own environment is not
 * inherited: NODE_OPTIONS or ELECTRON_* there would change what the core
 * runs. The secret is not in it either: the core reads it once from the
 * pipe named by SHELL_SECRET_FD, so it never shows in the process table or
 * /proc/<pid>/environ.
 */
export function coreEnvironment(options: CoreLaunchOptions): Record<string, string> {
  const parent = options.parentEnv ?? process.env
  const passed = Object.fromEntries(
    PASSED_THROUGH.filter((key) => parent[key] !== undefined).map((key) => [key, parent[key]!])
  )
  return {
    ...passed,
    ...options.settings,
    NODE_ENV: 'production',
    APP_ROLE: options.role ?? 'desktop',
    HOST: LOOPBACK_HOST,
    PORT: String(options.port),
    APP_KEY: options.appKey,
    DB_CONNECTION: 'sqlite',
    SQLITE_PATH: options.sqlitePath,
    HL7_MLLP_PORT: 'off',
    SHELL_SECRET_FD: String(SECRET_FD),
  }
}

/**
 * Starts the core as a child process and resolves once its health endpoint
 * answers, with the secret, that it is up in the expected role. Rejects with
 * a `CoreStartError` carrying the core's last output if it exits, refuses
 * the secret or does not answer in time; the child is stopped in every case.
 */
export async function launchCore(options: CoreLaunchOptions): Promise<RunningCore> {
  const origin = coreOrigin(options.port)
  const child = spawn(options.nodePath, [options.entry ?? 'bin/server.js'], {
    cwd: options.coreRoot,
    env: coreEnvironment(options),
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
  })
  const log = options.logFile ? createWriteStream(options.logFile, { mode: 0o600 }) : undefined
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEPT_OUTPUT_CHARS)
    log?.write(chunk)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)

  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      output += `\n${error.message}`
      resolve(null)
    })
    child.on('exit', (code) => resolve(code))
  }).finally(() => closeLog(log))

  const pipe = child.stdio[SECRET_FD] as Writable | null
  pipe?.on('error', () => {})
  pipe?.end(options.secret)

  const stop = stopper(child, exited, options.stopGraceMs ?? 10_000)
  try {
    await waitForHealth({
      origin,
      secret: options.secret,
      role: options.role ?? 'desktop',
      exited,
      timeoutMs: options.healthTimeoutMs ?? 90_000,
    })
  } catch (error) {
    await stop()
    throw new CoreStartError(error.message, output)
  }
  return { origin, pid: child.pid!, exited, output: () => output, stop }
}

/**
 * Polls `/health` with the secret until the core reports its role. A 403
 * means the process on that port is not the core this shell started (or did
 * not get the secret): waiting longer cannot help.
 */
export async function waitForHealth(options: {
  origin: string
  secret: string
  role: ShellRole
  exited: Promise<number | null>
  timeoutMs: number
  intervalMs?: number
}): Promise<void> {
  let exitCode: number | null | undefined
  void options.exited.then((code) => (exitCode = code))
  const deadline = Date.now() + options.timeoutMs
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`the core stopped (exit code ${exitCode}) before it was ready`)
    }
    try {
      const response = await fetch(`${options.origin}/health`, {
        headers: { [SECRET_HEADER]: options.secret },
        signal: AbortSignal.timeout(Math.min(5000, Math.max(1, deadline - Date.now()))),
      })
      const body = await response.text()
      if (response.status === 403) {
        throw new RefusedError(`${options.origin} refused the shell's secret: ${body}`)
      }
      if (response.status === 200 && JSON.parse(body).role === options.role) {
        return
      }
      last = `health answered ${response.status}: ${body.slice(0, 300)}`
    } catch (error) {
      if (error instanceof RefusedError) {
        throw error
      }
      last = error.message
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200))
  }
  throw new Error(
    `the core did not become ready within ${Math.round(options.timeoutMs / 1000)} s (${last})`
  )
}

class RefusedError extends Error {}

function stopper(child: ChildProcess, exited: Promise<number | null>, graceMs: number) {
  let stopping: Promise<number | null> | undefined
  return () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
        return exited
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      child.kill('SIGTERM')
      const code = await exited
      clearTimeout(timer)
      return code
    })()
    return stopping
  }
}

function closeLog(log?: WriteStream) {
  return new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()))
}
