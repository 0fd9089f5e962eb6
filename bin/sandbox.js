/*
|--------------------------------------------------------------------------
| The sandbox: `npm start`
|--------------------------------------------------------------------------
|
| Starts an iCDR on http://127.0.0.1:3333 and one gateway edge on
| http://127.0.0.1:3334, each with its own SQLite file under storage/sandbox/,
| migrates and seeds them, prints every URL and demo credential and writes
| them to storage/sandbox/sandbox.json. Ctrl-C stops both. A second start
| reuses the data and the credentials.
|
| Plain JavaScript on purpose: it only orchestrates `node ace` and
| `node bin/server.js` processes, exactly as an operator would run them.
|
*/
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const DIR = join(ROOT, 'storage', 'sandbox')
const HOST = process.env.SANDBOX_HOST ?? '127.0.0.1'

const NODES = {
  icdr: { role: 'icdr', port: Number(process.env.SANDBOX_ICDR_PORT ?? 3333) },
  gateway: {
    role: 'gateway',
    port: Number(process.env.SANDBOX_GATEWAY_PORT ?? 3334),
    mllpPort: Number(process.env.SANDBOX_MLLP_PORT ?? 2575),
  },
}

const children = new Set()
let stopping = false

function secret(bytes = 18) {
  return randomBytes(bytes).toString('base64url')
}

/** Credentials are made once and kept, so a second start finds the same ones. */
async function loadSecrets() {
  const file = join(DIR, 'secrets.json')
  if (existsSync(file)) {
    const kept = JSON.parse(await readFile(file, 'utf8'))
    return { file, secrets: kept }
  }
  const users = [
    { username: 'admin', fullName: 'Ada Admin', roles: ['administrator'] },
    { username: 'informatician', fullName: 'Ines Informatician', roles: ['informatician'] },
    { username: 'nurse', fullName: 'Nia Nurse', roles: ['clinician'] },
  ]
  const secrets = {}
  for (const name of Object.keys(NODES)) {
    secrets[name] = {
      appKey: secret(24),
      apiToken: `opk_${secret(32)}`,
      users: users.map((user) => ({ ...user, password: secret(9) })),
    }
  }
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 })
  return { file, secrets }
}

function nodeEnv(name, secrets) {
  const node = NODES[name]
  return {
    ...process.env,
    NODE_ENV: 'production',
    APP_ROLE: node.role,
    APP_KEY: secrets[name].appKey,
    HOST,
    PORT: String(node.port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    DB_CONNECTION: 'sqlite',
    SQLITE_PATH: join(DIR, `${name}.sqlite`),
    ...(node.role === 'gateway'
      ? {
          /* The gateway enrols as a device (node ace edge:enroll); the URL also locates the TUF repository. */
          ICDR_URL: `http://${HOST}:${NODES.icdr.port}`,
          HL7_MLLP_PORT: String(node.mllpPort),
          /* Packs published on the iCDR arrive within a minute, verified from the root made here. */
          OTA_CHECK_INTERVAL_SECONDS: process.env.OTA_CHECK_INTERVAL_SECONDS ?? '30',
          /* Changes on either side reach the other within half a minute. */
          SYNC_INTERVAL_SECONDS: process.env.SYNC_INTERVAL_SECONDS ?? '30',
          OTA_TRUSTED_ROOT: join(
            resolve(ROOT, process.env.OTA_DIR ?? 'storage/ota'),
            'metadata',
            '1.root.json'
          ),
        }
      : {}),
  }
}

function run(args, env, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${label} failed (exit ${code}):\n${output}`))
    )
  })
}

function serve(name, env) {
  const child = spawn(process.execPath, ['bin/server.js'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const prefix = `[${name}] `
  const relay = (stream, target) =>
    stream.on('data', (chunk) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        target.write(prefix + line + '\n')
      }
    })
  relay(child.stdout, process.stdout)
  relay(child.stderr, process.stderr)
  children.add(child)
  child.on('exit', (code, signal) => {
    children.delete(child)
    if (!stopping) {
      console.error(
        `${prefix}stopped unexpectedly (${signal ?? `exit ${code}`}); stopping the sandbox`
      )
      void stop(1)
    }
  })
  return child
}

async function waitForHealth(name, url) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`)
      if (response.ok) {
        return response.json()
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${name} did not become healthy at ${url} within 60 s`)
}

async function stop(code = 0) {
  stopping = true
  const exits = [...children].map(
    (child) =>
      new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
      })
  )
  await Promise.all(exits)
  process.exit(code)
}

async function startNode(name, secretsFile, secrets) {
  const env = nodeEnv(name, secrets)
  await run(['ace', 'migration:run', '--force'], env, `${name} migrations`)
  const codeFile = join(DIR, 'gateway-enrolment-code')
  const seed = ['ace', 'sandbox:seed', '--secrets', secretsFile, '--node', name]
  if (NODES[name].role === 'icdr') seed.push('--gateway-code-file', codeFile)
  await run(seed, env, `${name} seed`)
  if (NODES[name].role === 'icdr') await run(['ace', 'ota:keys'], env, 'OTA keys and repository')
  if (NODES[name].role === 'gateway') {
    /* Enrolled with the code an administrator would read out, then the demo clinic arrives by sync. */
    const code = (await readFile(codeFile, 'utf8')).trim()
    const icdr = `http://${HOST}:${NODES.icdr.port}`
    await run(['ace', 'edge:enroll', '--icdr', icdr, '--code', code, '--force'], env, 'enrolment')
    await rm(codeFile, { force: true })
    await run(['ace', 'sync:run', '--plain'], env, `${name} sync`)
  }
  serve(name, env)
  const url = `http://${HOST}:${NODES[name].port}`
  const health = await waitForHealth(name, url)
  const { appKey, ...credentials } = secrets[name]
  const node = NODES[name]
  return {
    role: NODES[name].role,
    url,
    port: NODES[name].port,
    health: `${url}/health`,
    /* Log in there: the clinic on the gateway; authoring and administration on the iCDR. */
    pages: `${url}/login`,
    fhir: `${url}/fhir`,
    ...(node.role === 'icdr' ? { tufMetadata: `${url}/ota/metadata` } : {}),
    ...(node.mllpPort ? { mllpPort: node.mllpPort, mllp: `mllp://${HOST}:${node.mllpPort}` } : {}),
    token: credentials.apiToken,
    apiToken: credentials.apiToken,
    /* Edges log people in through the iCDR (and offline from their cache). */
    users: node.role === 'gateway' ? secrets.icdr.users : credentials.users,
    version: health.version,
    store: env.SQLITE_PATH,
  }
}

function print(summary) {
  const lines = ['', 'Outpost sandbox is running. Ctrl-C stops it.', '']
  for (const [name, node] of Object.entries(summary.nodes)) {
    lines.push(`${name} (${node.role})`)
    lines.push(`  URL            ${node.url}`)
    lines.push(`  pages          ${node.pages}`)
    lines.push(`  health         ${node.health}`)
    lines.push(`  FHIR base      ${node.fhir}`)
    if (node.tufMetadata) {
      lines.push(`  TUF metadata   ${node.tufMetadata}`)
    }
    if (node.mllp) {
      lines.push(`  HL7v2 MLLP     ${node.mllp}`)
    }
    lines.push(`  bearer token   ${node.token}`)
    for (const user of node.users) {
      lines.push(`  user           ${user.username} / ${user.password}  (${user.roles.join(', ')})`)
    }
    lines.push(`  SQLite store   ${node.store}`)
    lines.push('')
  }
  lines.push(`All of this is in ${join(DIR, 'sandbox.json')}`)
  console.log(lines.join('\n'))
}

async function main() {
  await mkdir(DIR, { recursive: true })
  process.on('SIGINT', () => void stop(0))
  process.on('SIGTERM', () => void stop(0))
  const { file, secrets } = await loadSecrets()
  const nodes = {}
  for (const name of Object.keys(NODES)) {
    console.log(`starting the ${name} on port ${NODES[name].port}...`)
    nodes[name] = await startNode(name, file, secrets)
  }
  const summary = { startedAt: new Date().toISOString(), nodes, ...nodes }
  delete summary.nodes
  await writeFile(join(DIR, 'sandbox.json'), JSON.stringify(summary, null, 2), { mode: 0o600 })
  print({ nodes })
}

main().catch(async (error) => {
  console.error(`The sandbox could not start: ${error.message}`)
  await stop(1)
})
