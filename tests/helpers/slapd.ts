import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { LdapConfig } from '#interop/ldap/ldap_config'
import { LdapError, type LdapErrorCode } from '#interop/ldap/ldap_error'

const LDAP_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ldap')
const TLS_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'tls')

/** The test CA that signed the slapd certificate, and one that did not. */
export const SLAPD_CA_FILE = join(TLS_FIXTURES, 'ca.crt')
export const OTHER_CA_FILE = join(TLS_FIXTURES, 'other-ca.crt')

/** The service account of tests/fixtures/ldap/directory.ldif (test-only password). */
export const SLAPD_SERVICE_ACCOUNT = {
  bindDn: 'cn=outpost-bind,ou=services,dc=outpost,dc=test',
  bindPassword: 'outpost-bind-pass',
}

export interface Slapd {
  /** `ldap://127.0.0.1:<port>`, which also offers StartTLS when started with `tls`. */
  url: string
  port: number
  /** `ldaps://127.0.0.1:<port>`, when started with `tls`. */
  ldapsUrl?: string
  ldapsPort?: number
  /** The temporary directory holding slapd.conf and the database. */
  dir: string
  /** Settings for an LdapDirectory on `url`, without TLS; spread and override for TLS. */
  config: LdapConfig
  /** What slapd printed, for failure messages. */
  output: () => string
  /** Stops slapd and removes its directory. */
  stop: () => Promise<void>
}

/**
 * Starts a real OpenLDAP slapd, loaded with tests/fixtures/ldap/directory.ldif, in a fresh
 * temporary directory on free loopback ports. With `tls` it serves StartTLS and LDAPS with
 * tests/fixtures/tls/server.crt. Works as root: slapd keeps the user that started it.
 */
export async function startSlapd(options: { tls?: boolean } = {}): Promise<Slapd> {
  const slapd = await findBinary('slapd')
  const slapadd = await findBinary('slapadd')
  const dir = await mkdtemp(join(tmpdir(), 'outpost-slapd-'))
  try {
    const confPath = await writeConfig(dir, options.tls ?? false)
    await promisify(execFile)(slapadd, [
      '-q',
      '-f',
      confPath,
      '-l',
      join(LDAP_FIXTURES, 'directory.ldif'),
    ])
    return await listen(slapd, confPath, dir, options.tls ?? false)
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

/**
 * The LDAP tests' custom assertion: the login (or health check) is refused with `code`.
 * Returns the error so a test can compare two refusals.
 */
export async function assertLdapRefusal(
  attempt: Promise<unknown>,
  code: LdapErrorCode
): Promise<LdapError> {
  try {
    await attempt
  } catch (error) {
    if (!(error instanceof LdapError)) {
      throw error
    }
    if (error.code !== code) {
      throw new Error(`expected ${code}, got ${error.code}: ${error.message}`, { cause: error })
    }
    return error
  }
  throw new Error(`expected ${code}, but it was accepted`)
}

async function findBinary(name: string): Promise<string> {
  const candidates = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']
  for (const directory of candidates.filter(Boolean)) {
    const path = join(directory, name)
    try {
      await access(path)
      return path
    } catch {}
  }
  throw new Error(
    `${name} is not installed; the LDAP tests run a real OpenLDAP server: apt-get install slapd ldap-utils`
  )
}

async function writeConfig(dir: string, tls: boolean): Promise<string> {
  const template = await readFile(join(LDAP_FIXTURES, 'slapd.conf.template'), 'utf8')
  const values: Record<string, string> = {
    SCHEMA_DIR: '/etc/ldap/schema',
    MODULE_DIR: '/usr/lib/ldap',
    RUN_DIR: dir,
    DATA_DIR: join(dir, 'data'),
    TLS_CA: SLAPD_CA_FILE,
    TLS_CERT: join(TLS_FIXTURES, 'server.crt'),
    TLS_KEY: join(TLS_FIXTURES, 'server.key'),
  }
  const conf = template
    .split('\n')
    .filter((line) => tls || !line.startsWith('TLS'))
    .join('\n')
    .replaceAll(/\{\{(\w+)\}\}/g, (_match, name: string) => values[name])
  await mkdir(values.DATA_DIR)
  const confPath = join(dir, 'slapd.conf')
  await writeFile(confPath, conf)
  return confPath
}

/** Starts slapd in the foreground; a port taken between choosing and binding is retried. */
async function listen(slapd: string, confPath: string, dir: string, tls: boolean): Promise<Slapd> {
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(tls ? 2 : 1)
    const [port, ldapsPort] = ports
    const url = `ldap://127.0.0.1:${port}`
    const ldapsUrl = tls ? `ldaps://127.0.0.1:${ldapsPort}` : undefined
    const listeners = ldapsUrl ? `${url}/ ${ldapsUrl}/` : `${url}/`
    // `-d none` keeps slapd in the foreground (a child we can stop) and prints only errors.
    const child = spawn(slapd, ['-h', listeners, '-f', confPath, '-d', 'none'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout!.on('data', (chunk) => (output += chunk))
    child.stderr!.on('data', (chunk) => (output += chunk))
    const killOnExit = () => child.kill('SIGKILL')
    process.once('exit', killOnExit)
    const ready = await waitForPorts(child, ports)
    if (!ready) {
      process.removeListener('exit', killOnExit)
      await stopChild(child)
      if (attempt < 3 && output.includes('Address already in use')) {
        continue
      }
      throw new Error(`slapd did not start:\n${output}`)
    }
    return {
      url,
      port,
      ldapsUrl,
      ldapsPort,
      dir,
      config: testConfig(url),
      output: () => output,
      stop: async () => {
        process.removeListener('exit', killOnExit)
        await stopChild(child)
        await rm(dir, { recursive: true, force: true })
      },
    }
  }
}

function testConfig(url: string): LdapConfig {
  return {
    url,
    startTls: false,
    tlsCaFile: SLAPD_CA_FILE,
    ...SLAPD_SERVICE_ACCOUNT,
    searchBase: 'ou=people,dc=outpost,dc=test',
    groupSearchBase: 'ou=groups,dc=outpost,dc=test',
    // One key by DN, two by cn: both forms are accepted.
    groupRoleMap: {
      'clinicians': ['clinician'],
      'informaticians': ['informatician'],
      'cn=administrators,ou=groups,dc=outpost,dc=test': ['administrator'],
    },
    timeouts: { connectMs: 2_000, operationMs: 5_000 },
  }
}

/** Distinct free loopback ports, all held open until every one is chosen. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer()
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', resolve)
      })
    }
    return servers.map((server) => (server.address() as { port: number }).port)
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  }
}

/** True once every port accepts a TCP connection; false if slapd exits or 10 s pass. */
async function waitForPorts(child: ChildProcess, ports: number[]): Promise<boolean> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline && child.exitCode === null) {
    const open = await Promise.all(ports.map((port) => accepts(port)))
    if (open.every(Boolean)) {
      return true
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return resolve()
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
