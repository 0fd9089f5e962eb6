/*
|--------------------------------------------------------------------------
| Rule engine benchmark: `npm run bench:rules`
|--------------------------------------------------------------------------
|
| Seeds a fresh SQLite store with BENCH_PATIENTS children (default 10,000),
| each with a dose history and a weight, then evaluates the shipped packs
| for every patient (registration on the Patient, vital signs on the weight,
| the WHO schedule on the Patient):
|   - on the store: facts read SQLite through the clinical store, as on a node;
|   - baseline: the same engines on facts pre-loaded in memory, measured in
|     the same run, which is json-rules-engine with our fact code and no I/O.
| Prints patients/s for both and their ratio.
|
*/
import 'reflect-metadata'
import { randomUUID } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 10_000)
const dir = await mkdtemp(join(tmpdir(), 'outpost-bench-rules-'))
Object.assign(process.env, {
  NODE_ENV: 'production',
  APP_ROLE: 'gateway',
  APP_KEY: 'bench-key-bench-key-bench-key-000',
  LOG_LEVEL: 'error',
  SQLITE_PATH: join(dir, 'store.sqlite'),
})

const { Ignitor } = await import('@adonisjs/core')
const APP_ROOT = new URL('../', import.meta.url)
const app = new Ignitor(APP_ROOT, {
  importer: (path: string) => import(path.startsWith('.') ? new URL(path, APP_ROOT).href : path),
}).createApp('console')
await app.init()
await app.boot()
await import('#start/env')
await app.start(async () => {})

const { Database } = await import('@adonisjs/lucid/database')
const { SchemaService } = await import('#services/schema_service')
const { FhirStore } = await import('#services/fhir_store')
const { PackRepository } = await import('#services/pack_repository')
const { StoreFactSource } = await import('#services/store_fact_source')
const { MemoryFactSource } = await import('#rules_engine/fact_source')
type Source = InstanceType<typeof MemoryFactSource>

const schema = await app.container.make(SchemaService)
await schema.migrate()
const db = await app.container.make(Database)
const store = await app.container.make(FhirStore)
const packs = await app.container.make(PackRepository)
await packs.importFolders([app.makePath('rules'), app.makePath('protocols')])
const active = await packs.activePacks()

function day(offset: number) {
  return new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10)
}

/** A child of 0 to 2 years with the doses due so far, some missing, and a weight. */
function family(index: number) {
  const ageDays = index % 730
  const patient = {
    resourceType: 'Patient',
    id: randomUUID(),
    identifier: [{ system: 'urn:outpost:bench:mrn', value: `B${index}` }],
    name: [{ family: `Bench${index}`, given: ['Child'] }],
    gender: index % 2 ? 'male' : 'female',
    birthDate: day(ageDays),
  }
  const schedule: Array<[string, number]> = [
    ['19', 0],
    ['08', 0],
    ['102', 42],
    ['133', 42],
    ['102', 70],
    ['133', 70],
    ['102', 98],
    ['05', 275],
  ]
  const doses = schedule
    .filter(([, at], dose) => at <= ageDays && dose % 5 !== index % 5)
    .map(([code, at]) => ({
      resourceType: 'Immunization',
      id: randomUUID(),
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code }] },
      patient: { reference: `Patient/${patient.id}` },
      occurrenceDateTime: day(ageDays - at),
      primarySource: true,
    }))
  const weight = {
    resourceType: 'Observation',
    id: randomUUID(),
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    subject: { reference: `Patient/${patient.id}` },
    effectiveDateTime: day(0),
    valueQuantity: {
      value: 3.3 + ageDays / 80,
      unit: 'kg',
      system: 'http://unitsofmeasure.org',
      code: 'kg',
    },
  }
  return { patient, doses, weight }
}

const families = Array.from({ length: PATIENTS }, (_, index) => family(index))
const seedStarted = performance.now()
for (let start = 0; start < families.length; start += 200) {
  await db.transaction(async (trx) => {
    for (const { patient, doses, weight } of families.slice(start, start + 200)) {
      for (const resource of [patient, ...doses, weight]) {
        await store.write(trx, {
          type: resource.resourceType,
          id: resource.id,
          method: 'create',
          resource: resource as any,
          preserved: resource,
        })
      }
    }
  })
}
const seedSeconds = (performance.now() - seedStarted) / 1000

async function evaluateAll(
  sourceFor: (index: number) => Source | InstanceType<typeof StoreFactSource>
) {
  const asOf = new Date()
  let actions = 0
  const started = performance.now()
  for (const [index, { patient, weight }] of families.entries()) {
    const source = sourceFor(index)
    for (const pack of active) {
      const resource = pack.triggers.some((trigger) => trigger.resourceTypes.includes('Patient'))
        ? patient
        : weight
      const fired = await packs
        .engine(pack)
        .evaluate({ pack, event: pack.triggers[0].events[0], resource, asOf, source })
      actions += fired.length
    }
  }
  return { seconds: (performance.now() - started) / 1000, actions }
}

const onStore = await evaluateAll(() => new StoreFactSource(store))
const inMemory = await evaluateAll((index) => {
  const { patient, doses, weight } = families[index]
  return new MemoryFactSource([patient, ...doses, weight])
})

const rate = (run: { seconds: number }) => PATIENTS / run.seconds
console.log(`\nShipped packs (${active.map((pack) => `${pack.id}@${pack.version}`).join(', ')})`)
console.log(
  `${PATIENTS} patients, ${families.reduce((n, f) => n + f.doses.length, 0)} immunizations; seeded in ${seedSeconds.toFixed(1)} s\n`
)
console.log('| evaluation | patients/s | actions fired | ratio to baseline |')
console.log('|---|---:|---:|---:|')
console.log(
  `| facts from the SQLite store | ${rate(onStore).toFixed(0)} | ${onStore.actions} | ${(rate(onStore) / rate(inMemory)).toFixed(2)} |`
)
console.log(
  `| baseline: facts pre-loaded in memory | ${rate(inMemory).toFixed(0)} | ${inMemory.actions} | 1.00 |`
)
if (onStore.actions !== inMemory.actions) {
  console.log('\nThe two runs fired different actions: the comparison is not like for like.')
  process.exitCode = 1
}
await app.terminate()
