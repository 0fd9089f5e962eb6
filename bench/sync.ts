/*
|--------------------------------------------------------------------------
| Initial sync benchmark: `npm run bench:sync`
|--------------------------------------------------------------------------
|
| Seeds an iCDR on MariaDB with BENCH_RESOURCES resources (default 50,000)
| derived from the Synthea sample (/work/shared/corpora/synthea or
| BENCH_SYNTHEA_DIR): the facilities, locations and practitioners once, then
| the patients' records copied under new ids until the count is reached.
| Then, with real processes as in production:
|   - the iCDR serves (`node bin/server.js`), a `device` API client stands
|     for the edge (whole dataset);
|   - a fresh gateway edge serves beside it, and `node ace sync:run --plain`
|     runs against the gateway's store, timed from start to end;
|   - baseline: the same JSON texts inserted into a plain table of a fresh
|     SQLite file (sqlite3, one transaction), in the same run.
| Prints resources/s for both and their ratio, and exits non-zero unless the
| edge holds exactly the iCDR's resources.
|
| Settings: BENCH_RESOURCES (default 50000; 5000 for a quick check),
| BENCH_EDGE_SERVER (`running`, the default, or `stopped`: the gateway's
| server is stopped once it has created its store, before the sync),
| BENCH_PROFILE_DIR (a CPU profile of the `sync:run` process is written there).
|
*/
import 'reflect-metadata'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'
import sqlite3 from 'sqlite3'

const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 50_000)
const SYNTHEA = process.env.BENCH_SYNTHEA_DIR ?? '/work/shared/corpora/synthea'
const DATABASE = 'outpost_bench_sync'
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const SHARED_TYPES = ['Organization', 'Location', 'Practitioner']
const RECORD_TYPES = ['Encounter', 'Condition', 'Immunization']
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const SEED_BATCH = 1000
/** `running` (default): the gateway serves while it syncs, as in production; `stopped`: the sync alone on its store. */
const EDGE_SERVER = process.env.BENCH_EDGE_SERVER ?? 'running'
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR
if (!['running', 'stopped'].includes(EDGE_SERVER) || !(RESOURCES > 0)) {
  console.error('BENCH_EDGE_SERVER is running or stopped; BENCH_RESOURCES a positive number')
  process.exit(2)
}

type Env = Record<string, string>
type Resource = Record<string, any>

async function ndjson(type: string): Promise<Resource[]> {
  const text = await readFile(join(SYNTHEA, `${type}.000.ndjson`), 'utf8')
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line))
}

/**
 * Synthea points at facilities and practitioners by identifier
 * (`Location?identifier=system|value`); a server resolves those in the
 * transaction that stores them, so the stored copies carry `Location/<id>`.
 */
function resolveConditional(value: unknown, targets: Map<string, string>): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveConditional(item, targets))
  }
  if (value === null || typeof value !== 'object') {
    return value
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) =>
      key === 'reference' && typeof item === 'string' && targets.has(item)
        ? [key, targets.get(item)]
        : [key, resolveConditional(item, targets)]
    )
  )
}

/** The JSON texts to seed, in write order: shared resources, then each patient before their record. */
async function dataset(total: number): Promise<string[]> {
  const sharedByType = await Promise.all(SHARED_TYPES.map(ndjson))
  const shared = sharedByType.flat()
  const targets = new Map<string, string>()
  for (const resource of shared) {
    for (const { system, value } of resource.identifier ?? []) {
      targets.set(
        `${resource.resourceType}?identifier=${system}|${value}`,
        `${resource.resourceType}/${resource.id}`
      )
    }
  }
  const recordsByType = await Promise.all(RECORD_TYPES.map(ndjson))
  const records = recordsByType.flat()
  const patients = await ndjson('Patient')
  const families = patients.map((patient) => {
    const own = records.filter(
      (resource) => (resource.subject ?? resource.patient)?.reference === `Patient/${patient.id}`
    )
    return [patient, ...own].map((resource) =>
      JSON.stringify(resolveConditional(resource, targets))
    )
  })
  const texts = shared.map((resource) => JSON.stringify(resolveConditional(resource, targets)))
  for (let copy = 0; texts.length < total; copy++) {
    const family = families[copy % families.length]
    /* New ids for the patient and everything of theirs; ids of shared resources are not in the map. */
    const ids = new Map(family.map((text) => [JSON.parse(text).id as string, randomUUID()]))
    for (const text of family.slice(0, total - texts.length)) {
      texts.push(text.replace(UUID, (id) => ids.get(id) ?? id))
    }
  }
  return texts.slice(0, total)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

function run(args: string[], env: Env, onLine: (line: string) => void = () => {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, NO_COLOR: '1' } })
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk
      chunk.toString().split('\n').filter(Boolean).forEach(onLine)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('exit', (code) => resolve({ code, output }))
  })
}

async function serve(name: string, env: Env) {
  const child = spawn(process.execPath, ['bin/server.js'], { cwd: ROOT, env })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const url = `http://127.0.0.1:${env.PORT}`
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) {
      break
    }
    try {
      const health = await fetch(`${url}/health`)
      if (health.status < 500) {
        return { url, output: () => output, stop: () => stopChild(child) }
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`the ${name} did not start:\n${output}`)
}

function stopChild(child: ChildProcess) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) {
      return resolve()
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.on('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** Writes the texts through FhirStore.write in an in-process iCDR, and registers the edge's client. */
async function seedIcdr(env: Env, texts: string[]) {
  Object.assign(process.env, env)
  const { Ignitor } = await import('@adonisjs/core')
  const appRoot = new URL('../', import.meta.url)
  const app = new Ignitor(appRoot, {
    importer: (path: string) => import(path.startsWith('.') ? new URL(path, appRoot).href : path),
  }).createApp('console')
  await app.init()
  await app.boot()
  await import('#start/env')
  await app.start(async () => {})
  const { Database } = await import('@adonisjs/lucid/database')
  const { FhirStore } = await import('#services/fhir_store')
  const { ResourceValidator } = await import('#interop/fhir/resource_validator')
  const { parseFhirJson } = await import('#interop/fhir/fhir_json')
  const { ApiClientService } = await import('#services/api_client_service')
  try {
    const db = await app.container.make(Database)
    const store = await app.container.make(FhirStore)
    const validator = new ResourceValidator()
    const started = performance.now()
    for (let start = 0; start < texts.length; start += SEED_BATCH) {
      await db.transaction(async (trx) => {
        for (const text of texts.slice(start, start + SEED_BATCH)) {
          const { resource, preserved } = parseFhirJson(text)
          const valid = validator.validate(resource).resource as Resource
          await store.write(trx, {
            type: valid.resourceType,
            id: valid.id,
            method: 'create',
            resource: valid as any,
            preserved,
          })
        }
      })
    }
    const seconds = (performance.now() - started) / 1000
    const clients = await app.container.make(ApiClientService)
    const token = await clients.register('bench-sync-edge', ['device'])
    return { seconds, token }
  } finally {
    await app.terminate()
  }
}

/** A store's live resources other than rule outputs, with their stored texts. */
function sqliteRows(file: string): Promise<Resource[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY)
    db.all(
      'SELECT resource_type, id, version_id, content FROM fhir_resources WHERE deleted = 0 AND derived = 0',
      (error, rows) => db.close(() => (error ? reject(error) : resolve(rows as Resource[])))
    )
  })
}

function tally(rows: Resource[]) {
  const counts: Record<string, number> = {}
  for (const row of rows) {
    counts[row.resource_type] = (counts[row.resource_type] ?? 0) + 1
  }
  return counts
}

/** Baseline: the same texts into a plain table of a fresh SQLite file, one transaction, the edge's pragmas. */
async function rawInsert(file: string, rows: Resource[]) {
  const db = new sqlite3.Database(file)
  const exec = (sql: string) =>
    new Promise<void>((resolve, reject) =>
      db.exec(sql, (error) => (error ? reject(error) : resolve()))
    )
  await exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE resources (resource_type TEXT NOT NULL, id TEXT NOT NULL, content TEXT NOT NULL, PRIMARY KEY (resource_type, id))'
  )
  const started = performance.now()
  await exec('BEGIN')
  const insert = db.prepare('INSERT INTO resources (resource_type, id, content) VALUES (?, ?, ?)')
  for (const row of rows) {
    await new Promise<void>((resolve, reject) =>
      insert.run(row.resource_type, row.id, row.content, (error: Error | null) =>
        error ? reject(error) : resolve()
      )
    )
  }
  await new Promise<void>((resolve) => insert.finalize(() => resolve()))
  await exec('COMMIT')
  const seconds = (performance.now() - started) / 1000
  await new Promise<void>((resolve) => db.close(() => resolve()))
  return seconds
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'outpost-bench-sync-'))
  const texts = await dataset(RESOURCES)
  const server = await mysql.createConnection({ host: '127.0.0.1', user: 'root' })
  await server.query(`DROP DATABASE IF EXISTS ${DATABASE}`)
  await server.query(`CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  const common: Env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    HOST: '127.0.0.1',
    HL7_MLLP_PORT: 'off',
    IMPORT_SHIPPED_PACKS: 'false',
  }
  const icdrEnv: Env = {
    ...common,
    APP_ROLE: 'icdr',
    APP_KEY: randomBytes(24).toString('base64url'),
    PORT: String(await freePort()),
    DB_CONNECTION: 'mysql',
    MYSQL_HOST: '127.0.0.1',
    MYSQL_USER: 'root',
    MYSQL_DATABASE: DATABASE,
    SQLITE_PATH: join(dir, 'icdr-unused.sqlite'),
    OTA_DIR: join(dir, 'ota'),
    OTA_KEYS_DIR: join(dir, 'keys'),
  }
  const stops: Array<() => Promise<void>> = []
  try {
    /* One process migrates a fresh database: no advisory lock needed (see bench/RESULTS.md). */
    const migrated = await run(['ace', 'migration:run', '--force', '--disable-locks'], icdrEnv)
    if (migrated.code !== 0) {
      throw new Error(`iCDR migrations failed:\n${migrated.output}`)
    }
    console.log(`Seeding the iCDR with ${texts.length} resources...`)
    const seed = await seedIcdr(icdrEnv, texts)
    const icdr = await serve('iCDR', icdrEnv)
    stops.push(icdr.stop)

    const edgeEnv: Env = {
      ...common,
      APP_ROLE: 'gateway',
      APP_KEY: randomBytes(24).toString('base64url'),
      PORT: String(await freePort()),
      SQLITE_PATH: join(dir, 'edge.sqlite'),
      ICDR_URL: icdr.url,
      ICDR_TOKEN: seed.token,
      SYNC_INTERVAL_SECONDS: '0',
      OTA_CHECK_INTERVAL_SECONDS: '0',
    }
    /* The gateway brings its store up to date when it boots; `stopped` then syncs with no server beside. */
    const edge = await serve('gateway', edgeEnv)
    stops.push(edge.stop)
    if (EDGE_SERVER === 'stopped') {
      await edge.stop()
    }

    console.log('Initial sync (node ace sync:run --plain)...')
    let lines = 0
    let firstPageAt = 0
    const started = performance.now()
    const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []
    const sync = await run([...profile, 'ace', 'sync:run', '--plain'], edgeEnv, (line) => {
      firstPageAt ||= line.startsWith('pull') ? performance.now() : 0
      if (++lines % 20 === 0 || !line.startsWith('pull')) {
        console.log(`  ${line}`)
      }
    })
    const syncSeconds = (performance.now() - started) / 1000
    if (sync.code !== 0) {
      const serverLog = edge.output().trim().split('\n').slice(-20).join('\n')
      throw new Error(
        `sync:run exited with ${sync.code} after ${syncSeconds.toFixed(1)} s:\n${sync.output}\n` +
          `gateway server output (last lines):\n${serverLog || '(none)'}`
      )
    }

    const [icdrRows] = (await server.query(
      `SELECT resource_type, id, version_id, content FROM ${DATABASE}.fhir_resources WHERE deleted = 0 AND derived = 0`
    )) as unknown as [Resource[]]
    const edgeRows = await sqliteRows(edgeEnv.SQLITE_PATH)
    const rawSeconds = await rawInsert(join(dir, 'raw.sqlite'), icdrRows)

    const icdrCounts = tally(icdrRows)
    const edgeCounts = tally(edgeRows)
    const edgeKeys = new Set(
      edgeRows.map((row) => `${row.resource_type}/${row.id}/${row.version_id}`)
    )
    const missing = icdrRows.filter(
      (row) => !edgeKeys.has(`${row.resource_type}/${row.id}/${row.version_id}`)
    )
    const edgeTexts = new Map(
      edgeRows.map((row) => [`${row.resource_type}/${row.id}`, row.content])
    )
    const otherText = icdrRows.filter(
      (row) =>
        edgeTexts.has(`${row.resource_type}/${row.id}`) &&
        edgeTexts.get(`${row.resource_type}/${row.id}`) !== row.content
    ).length
    const types = [...new Set([...Object.keys(icdrCounts), ...Object.keys(edgeCounts)])].sort()
    const equal = missing.length === 0 && edgeRows.length === icdrRows.length

    const syncRate = icdrRows.length / syncSeconds
    const rawRate = icdrRows.length / rawSeconds
    console.log(
      `\nInitial sync of ${icdrRows.length} resources, iCDR on MariaDB, gateway on SQLite (server ${EDGE_SERVER}), pull pages of 500; ` +
        `iCDR seeded in ${seed.seconds.toFixed(1)} s (${(texts.length / seed.seconds).toFixed(0)} resources/s through FhirStore.write); ` +
        `sync:run boot to first page ${firstPageAt ? ((firstPageAt - started) / 1000).toFixed(1) : '?'} s; ` +
        `load average ${loadavg()[0].toFixed(1)} over ${availableParallelism()} cores\n`
    )
    console.log('| run | resources | seconds | resources/s | ratio to baseline |')
    console.log('|---|---:|---:|---:|---:|')
    console.log(
      `| initial sync (\`node ace sync:run\`) | ${icdrRows.length} | ${syncSeconds.toFixed(1)} | ${syncRate.toFixed(0)} | ${(syncRate / rawRate).toFixed(3)} |`
    )
    console.log(
      `| baseline: raw SQLite insert, one transaction | ${icdrRows.length} | ${rawSeconds.toFixed(2)} | ${rawRate.toFixed(0)} | 1.000 |`
    )
    console.log('\n| type | iCDR | edge |')
    console.log('|---|---:|---:|')
    for (const type of types) {
      console.log(`| ${type} | ${icdrCounts[type] ?? 0} | ${edgeCounts[type] ?? 0} |`)
    }
    if (otherText > 0) {
      console.log(
        `\n${otherText} resource(s) on the edge have another stored text than on the iCDR`
      )
    }
    if (!equal) {
      console.log(
        `\nThe edge does not hold the iCDR's resources: ${edgeRows.length} on the edge, ${icdrRows.length} on the iCDR, ` +
          `${missing.length} missing or at another version (first: ${missing
            .slice(0, 5)
            .map((row) => `${row.resource_type}/${row.id}`)
            .join(', ')})`
      )
      process.exitCode = 1
    }
  } finally {
    await Promise.all(stops.map((stop) => stop()))
    await server.query(`DROP DATABASE IF EXISTS ${DATABASE}`)
    await server.end()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
