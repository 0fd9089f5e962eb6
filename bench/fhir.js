/*
|--------------------------------------------------------------------------
| FHIR API benchmark: `npm run bench:fhir`
|--------------------------------------------------------------------------
|
| Starts a gateway on SQLite and an iCDR on MariaDB (real processes, as in
| production), loads patients with immunizations through the API, then
| measures with autocannon, on each node:
|   - bare:   GET /api/v1/node, an AdonisJS JSON route that touches no store
|   - read:   GET /fhir/Patient/{id}
|   - search: GET /fhir/Immunization?patient={id}
|   - create: POST /fhir/Patient
| and prints requests/s, p50 and p99 latency, and each figure's ratio to the
| bare route measured in the same run.
|
| Settings: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 10),
| BENCH_PATIENTS (default 300).
|
*/
import { spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import mysql from 'mysql2/promise'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 300)
const BENCH_DATABASE = 'outpost_bench'

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(output))))
  })
}

async function startNode(name, env) {
  const dir = await mkdtemp(join(tmpdir(), 'outpost-bench-'))
  const token = `opk_${randomBytes(32).toString('base64url')}`
  const secretsFile = join(dir, 'secrets.json')
  await writeFile(secretsFile, JSON.stringify({ [name]: { apiToken: token, users: [] } }))
  const port = await freePort()
  const fullEnv = {
    ...process.env,
    NODE_ENV: 'production',
    APP_KEY: randomBytes(24).toString('base64url'),
    LOG_LEVEL: 'error',
    HOST: '127.0.0.1',
    PORT: String(port),
    SQLITE_PATH: join(dir, 'store.sqlite'),
    ...env,
  }
  await run(['ace', 'migration:run', '--force'], fullEnv)
  await run(['ace', 'sandbox:seed', '--secrets', secretsFile, '--node', name], fullEnv)
  const child = spawn(process.execPath, ['bin/server.js'], { cwd: ROOT, env: fullEnv, stdio: 'inherit' })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) {
        return { name, url, token, stop: () => child.kill('SIGTERM') }
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${name} did not start`)
}

async function preload(node) {
  const headers = { 'authorization': `Bearer ${node.token}`, 'content-type': 'application/fhir+json' }
  const ids = []
  for (let i = 0; i < PATIENTS; i++) {
    const id = randomUUID()
    ids.push(id)
    const patient = { resourceType: 'Patient', id, name: [{ family: `Bench${i}`, given: ['Load'] }], birthDate: '2024-01-15', gender: i % 2 ? 'male' : 'female' }
    await fetch(`${node.url}/fhir/Patient/${id}`, { method: 'PUT', headers, body: JSON.stringify(patient) })
    for (const [date, code] of [['2024-01-15', '19'], ['2024-02-26', '102'], ['2024-03-25', '102'], ['2024-04-22', '102']]) {
      const immunization = {
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code }] },
        patient: { reference: `Patient/${id}` },
        occurrenceDateTime: date,
      }
      await fetch(`${node.url}/fhir/Immunization`, { method: 'POST', headers, body: JSON.stringify(immunization) })
    }
  }
  return ids
}

function measure(url, options) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: SECONDS, ...options }, (error, result) =>
      error ? reject(error) : resolve(result)
    )
  })
}

async function scenarios(node, ids) {
  const auth = { authorization: `Bearer ${node.token}` }
  let next = 0
  const pick = () => ids[next++ % ids.length]
  const rows = []
  const record = (scenario, result) => {
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${node.name} ${scenario}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
    }
    rows.push({ node: node.name, scenario, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 })
  }
  record('bare JSON route', await measure(`${node.url}/api/v1/node`, {}))
  record('read Patient by id', await measure(`${node.url}/fhir`, {
    headers: auth,
    requests: [{ setupRequest: (request) => ({ ...request, path: `/fhir/Patient/${pick()}` }) }],
  }))
  record('search Immunization by patient', await measure(`${node.url}/fhir`, {
    headers: auth,
    requests: [{ setupRequest: (request) => ({ ...request, path: `/fhir/Immunization?patient=${pick()}` }) }],
  }))
  record('create Patient', await measure(`${node.url}/fhir/Patient`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/fhir+json' },
    body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Created', given: ['Bench'] }], birthDate: '2023-05-01' }),
  }))
  return rows
}

function print(rows) {
  console.log(`\nFHIR API, ${CONNECTIONS} connections, ${SECONDS} s per scenario, ${PATIENTS} patients x 4 immunizations preloaded\n`)
  console.log('| node | scenario | requests/s | p50 ms | p99 ms | req/s vs bare |')
  console.log('|---|---|---:|---:|---:|---:|')
  for (const row of rows) {
    const bare = rows.find((candidate) => candidate.node === row.node && candidate.scenario === 'bare JSON route')
    console.log(`| ${row.node} | ${row.scenario} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${(row.rps / bare.rps).toFixed(2)} |`)
  }
}

async function main() {
  const server = await mysql.createConnection({ host: '127.0.0.1', user: 'root' })
  await server.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE}`)
  await server.query(`CREATE DATABASE ${BENCH_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  const nodes = []
  try {
    nodes.push(await startNode('gateway', { APP_ROLE: 'gateway', DB_CONNECTION: 'sqlite' }))
    nodes.push(await startNode('icdr', {
      APP_ROLE: 'icdr',
      DB_CONNECTION: 'mysql',
      MYSQL_HOST: '127.0.0.1',
      MYSQL_USER: 'root',
      MYSQL_DATABASE: BENCH_DATABASE,
    }))
    const rows = []
    for (const node of nodes) {
      const label = node.name === 'gateway' ? 'gateway (SQLite)' : 'iCDR (MariaDB)'
      const ids = await preload(node)
      rows.push(...(await scenarios({ ...node, name: label }, ids)))
    }
    print(rows)
  } finally {
    nodes.forEach((node) => node.stop())
    await server.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE}`)
    await server.end()
  }
}

await main()
