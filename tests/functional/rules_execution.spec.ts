import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { PackRepository } from '#services/pack_repository'
import { ApiClientService } from '#services/api_client_service'
import { SavePipeline } from '#services/save_pipeline'
import { JobRunner } from '#queue/job_runner'
import RuleReevaluationJob from '#jobs/rule_reevaluation_job'
import type { RulePack } from '#rules_engine/pack_types'
import { icdrOnMariaDb } from '#tests/helpers/fhir_nodes'
import { assertOperationOutcome, fhirClient, type FhirRequest } from '#tests/helpers/fhir_client'

const run = randomUUID().slice(0, 8)
const LOINC_WEIGHT = { system: 'http://loinc.org', code: '29463-7' }

/** Packs of this file fire only on records marked with this run's family name. */
const family = `Rules${run}`

function pack(id: string, fields: Partial<RulePack>): RulePack {
  return {
    id: `${id}-${run}`,
    version: '1.0.0',
    title: id,
    publisher: 'tests',
    status: 'active',
    requires: '>=0.1.0',
    kind: 'business',
    facts: ['resource'],
    triggers: [],
    rules: [],
    ...fields,
  } as RulePack
}

const registration = pack('registration', {
  kind: 'business',
  triggers: [{ resourceTypes: ['Patient'], events: ['beforeSave'] }],
  facts: ['resource'],
  rules: [
    {
      name: 'birth-date-required',
      conditions: {
        all: [
          { fact: 'resource', path: '$.name[0].family', operator: 'equal', value: family },
          { fact: 'resource', path: '$.birthDate', operator: 'isMissing', value: true },
        ],
      },
      event: {
        type: 'reject',
        params: {
          message: 'Enter the date of birth, or an estimate of it',
          path: 'Patient.birthDate',
        },
      },
    },
    {
      name: 'mark-active',
      conditions: {
        all: [{ fact: 'resource', path: '$.name[0].family', operator: 'equal', value: family }],
      },
      event: { type: 'assign', params: { path: 'Patient.active', value: true } },
    },
  ],
})

const weights = pack('weights', {
  kind: 'dq',
  triggers: [{ resourceTypes: ['Observation'], events: ['beforeSave'] }],
  facts: ['resource', 'patient'],
  rules: [
    {
      name: 'weight-over-300',
      conditions: {
        all: [
          { fact: 'patient', path: '$.name[0].family', operator: 'equal', value: family },
          { fact: 'resource', path: '$.valueQuantity.value', operator: 'greaterThan', value: 300 },
        ],
      },
      event: {
        type: 'issue',
        params: {
          severity: 'error',
          code: 'weight-implausible',
          message: 'A weight over 300 kg is implausible',
          path: 'Observation.valueQuantity.value',
        },
      },
    },
  ],
})

const proposals = pack('measles', {
  kind: 'cds',
  triggers: [{ resourceTypes: ['Immunization', 'Patient'], events: ['afterSave'] }],
  facts: ['patient', 'immunizationHistory'],
  rules: [
    {
      name: 'measles-first-dose',
      conditions: {
        all: [
          { fact: 'patient', path: '$.name[0].family', operator: 'equal', value: family },
          {
            fact: 'immunizationHistory',
            operator: 'lacksCode',
            value: 'http://hl7.org/fhir/sid/cvx|05',
          },
        ],
      },
      event: {
        type: 'propose',
        params: {
          vaccineCode: { system: 'http://hl7.org/fhir/sid/cvx', code: '05' },
          doseNumber: 1,
          dueDate: '2026-12-01',
          message: 'Measles, first dose',
        },
      },
    },
  ],
})

const broken = pack('broken', {
  kind: 'dq',
  triggers: [{ resourceTypes: ['Patient'], events: ['beforeSave'] }],
  rules: [
    {
      name: 'refers-to-a-missing-condition',
      conditions: { all: [{ condition: 'no-such-condition' }] },
      event: { type: 'issue', params: { severity: 'warning', code: 'x', message: 'never' } },
    },
  ],
})

test.group('Rule packs run on every save', (group) => {
  let fhir: FhirRequest & { base: string }
  let packs: PackRepository

  group.setup(async () => {
    const node = await icdrOnMariaDb()
    fhir = Object.assign(fhirClient(node), { base: node.base })
    packs = await app.container.make(PackRepository)
    for (const each of [registration, weights, proposals, broken]) {
      await packs.store(each, 'active', 'tests')
    }
    return async () => {
      await db.from('rule_packs').where('origin', 'tests').update({ status: 'retired' })
      packs.invalidate()
    }
  })

  const child = (extra: Record<string, unknown> = {}) => ({
    resourceType: 'Patient',
    id: randomUUID(),
    name: [{ family, given: ['Imani'] }],
    gender: 'female',
    birthDate: '2025-09-01',
    ...extra,
  })

  test('a create that breaks a business rule gets 422 with the rule message; nothing is stored', async ({
    assert,
  }) => {
    const patient = child({ birthDate: undefined })
    const response = await fhir('POST', '/Patient', { body: patient })
    assertOperationOutcome(assert, response, 422, {
      code: 'business-rule',
      expression: 'Patient.birthDate',
      diagnostics: new RegExp(
        `Enter the date of birth.*registration-${run}@1.0.0#birth-date-required`
      ),
    })
    assertOperationOutcome(assert, await fhir('GET', `/Patient/${patient.id}`), 404)
  })

  test('an assign action sets the value that is stored', async ({ assert }) => {
    const patient = child()
    const response = await fhir('POST', '/Patient', { body: patient })
    assert.equal(response.status, 201, response.text)
    assert.isTrue(response.json.active)
  })

  test('a DQ finding is stored as a DetectedIssue, visible through FHIR, and cancelled once fixed', async ({
    assert,
  }) => {
    const patient = child()
    await fhir('POST', '/Patient', { body: patient })
    const weight = {
      resourceType: 'Observation',
      id: randomUUID(),
      status: 'final',
      code: { coding: [LOINC_WEIGHT] },
      subject: { reference: `Patient/${patient.id}` },
      effectiveDateTime: '2026-01-10',
      valueQuantity: { value: 420, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    }
    const saved = await fhir('PUT', `/Observation/${weight.id}`, { body: weight })
    assert.equal(saved.status, 201, saved.text)

    const found = await fhir('GET', `/DetectedIssue?implicated=Observation/${weight.id}`)
    assert.equal(found.json.total, 1)
    const issue = found.json.entry[0].resource
    assert.equal(issue.status, 'final')
    assert.equal(issue.severity, 'high')
    assert.equal(issue.patient.reference, `Patient/${patient.id}`)
    assert.equal(issue.identifier[0].value, `weights-${run}@1.0.0#weight-over-300`)
    assert.include(issue.detail, 'implausible')

    await fhir('PUT', `/Observation/${weight.id}`, {
      body: { ...weight, valueQuantity: { ...weight.valueQuantity, value: 4.2 } },
    })
    const after = await fhir('GET', `/DetectedIssue/${issue.id}`)
    assert.equal(after.json.status, 'cancelled')
  })

  test("saving an immunization refreshes the patient's proposals", async ({ assert }) => {
    const patient = child()
    const created = await fhir('POST', '/Patient', { body: patient })
    assert.equal(created.status, 201, created.text)
    const before = await fhir('GET', `/ImmunizationRecommendation?patient=${patient.id}`)
    assert.equal(before.json.total, 1)
    const recommendation = before.json.entry[0].resource
    assert.equal(recommendation.recommendation[0].vaccineCode[0].coding[0].code, '05')
    assert.include(
      recommendation.recommendation[0].description,
      `measles-${run}@1.0.0#measles-first-dose`
    )

    await fhir('POST', '/Immunization', {
      body: {
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '05' }] },
        patient: { reference: `Patient/${patient.id}` },
        occurrenceDateTime: '2026-06-01',
      },
    })
    const after = await fhir('GET', `/ImmunizationRecommendation?patient=${patient.id}`)
    assert.equal(after.json.total, 0)
  })

  test('a pack that throws does not break saving; its failure is recorded', async ({ assert }) => {
    const patient = child()
    const response = await fhir('POST', '/Patient', { body: patient })
    assert.equal(response.status, 201, response.text)
    const failures = await db
      .from('rule_pack_failures')
      .where({ pack_key: `broken-${run}@1.0.0`, resource_id: patient.id })
    assert.lengthOf(failures, 1)
    assert.include(failures[0].message, 'no-such-condition')

    const reader = await new ApiClientService(db.connection('mysql') as any).register(
      `failures-${run}`,
      ['rules:author']
    )
    const listed = await fetch(fhir.base.replace(/\/fhir$/, '/api/v1/rule-packs/failures'), {
      headers: { authorization: `Bearer ${reader}` },
    })
    assert.equal(listed.status, 200)
    const visible = (await listed.json()) as any[]
    assert.isTrue(
      visible.some(
        (failure) =>
          failure.record === `Patient/${patient.id}` && failure.pack === `broken-${run}@1.0.0`
      )
    )
  })

  test('a record arriving by sync is flagged, never refused', async ({ assert }) => {
    const pipeline = await app.container.make(SavePipeline)
    const patient = child({ birthDate: undefined })
    const { result } = await pipeline.save({
      method: 'create',
      type: 'Patient',
      id: patient.id,
      body: { resource: patient, preserved: patient },
      source: 'sync',
    })
    assert.equal(result?.versionId, 1)
    const flags = await fhir('GET', `/DetectedIssue?implicated=Patient/${patient.id}`)
    assert.equal(flags.json.total, 1)
    assert.equal(flags.json.entry[0].resource.severity, 'high')
  })
})

test.group('Rule packs on a schedule', (group) => {
  let fhir: FhirRequest
  let packs: PackRepository
  const nightly = pack('nightly', {
    kind: 'cds',
    triggers: [{ resourceTypes: ['Patient'], events: ['schedule'] }],
    facts: ['patient', 'immunizationHistory'],
    rules: [
      {
        name: 'measles-first-dose',
        conditions: {
          all: [
            {
              fact: 'patient',
              path: '$.name[0].family',
              operator: 'equal',
              value: `Nightly${run}`,
            },
            {
              fact: 'immunizationHistory',
              operator: 'lacksCode',
              value: 'http://hl7.org/fhir/sid/cvx|05',
            },
          ],
        },
        event: {
          type: 'propose',
          params: {
            vaccineCode: { system: 'http://hl7.org/fhir/sid/cvx', code: '05' },
            dueDate: '2026-12-01',
            message: 'Measles, first dose',
          },
        },
      },
    ],
  })

  group.setup(async () => {
    fhir = fhirClient(await icdrOnMariaDb())
    packs = await app.container.make(PackRepository)
    return async () => {
      await db.from('rule_packs').where('origin', 'tests-nightly').update({ status: 'retired' })
      packs.invalidate()
    }
  })

  test('the nightly re-evaluation brings proposals from a newly active pack, once', async ({
    assert,
  }) => {
    const patient = {
      resourceType: 'Patient',
      id: randomUUID(),
      name: [{ family: `Nightly${run}` }],
      gender: 'male',
      birthDate: '2025-09-01',
    }
    await fhir('PUT', `/Patient/${patient.id}`, { body: patient })
    await packs.store(nightly, 'active', 'tests-nightly')
    const none = await fhir('GET', `/ImmunizationRecommendation?patient=${patient.id}`)
    assert.equal(none.json.total, 0)

    const runner = new JobRunner(app.container)
    runner.register([RuleReevaluationJob])
    const reported: Array<[number, number]> = []
    const context = {
      jobId: randomUUID(),
      attempt: 1,
      progress: async (done: number, total: number) => void reported.push([done, total]),
    }
    const summary = (await runner.run('rule-reevaluation', { pageSize: 50 }, context)) as any
    assert.isAtLeast(summary.patients, 1)
    assert.isAbove(reported.length, 0)
    const [done, total] = reported.at(-1)!
    assert.equal(done, total)

    const found = await fhir('GET', `/ImmunizationRecommendation?patient=${patient.id}`)
    assert.equal(found.json.total, 1)
    const id = found.json.entry[0].resource.id
    await runner.run('rule-reevaluation', { pageSize: 50 }, { ...context, jobId: randomUUID() })
    const history = await fhir('GET', `/ImmunizationRecommendation/${id}/_history`)
    assert.equal(history.json.total, 1, 'an unchanged proposal is not written again')
  })
})

test.group('Dose evaluations of a protocol pack', (group) => {
  let fhir: FhirRequest
  let packs: PackRepository

  group.setup(async () => {
    fhir = fhirClient(await icdrOnMariaDb())
    packs = await app.container.make(PackRepository)
    return async () => {
      await db.from('rule_packs').where('origin', 'tests-evaluations').update({ status: 'retired' })
      packs.invalidate()
    }
  })

  test('saving a dose stores how each dose counts (ImmunizationEvaluation) next to the forecast', async ({
    assert,
  }) => {
    const acip = JSON.parse(
      await readFile(app.makePath('protocols/acip-childhood-immunization/pack.json'), 'utf8')
    )
    const key = `acip-${run}`
    await packs.store({ ...acip, id: key }, 'active', 'tests-evaluations')
    const patient = {
      resourceType: 'Patient',
      id: randomUUID(),
      name: [{ family: `Evaluated${run}` }],
      birthDate: '2025-06-01',
    }
    const registered = await fhir('PUT', `/Patient/${patient.id}`, { body: patient })
    assert.equal(registered.status, 201)
    const dose = {
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '20' }] },
      patient: { reference: `Patient/${patient.id}` },
      occurrenceDateTime: '2025-07-01',
    }
    const saved = await fhir('POST', '/Immunization', { body: dose })
    assert.equal(saved.status, 201, JSON.stringify(saved.json))

    const evaluations = await fhir(
      'GET',
      `/ImmunizationEvaluation?patient=Patient/${patient.id}&_count=50`
    )
    const entries = evaluations.json.entry.map((entry: any) => entry.resource)
    const forDose = entries.filter(
      (entry: any) => entry.immunizationEvent.reference === `Immunization/${saved.json.id}`
    )
    assert.isAbove(forDose.length, 0, JSON.stringify(entries))
    assert.isTrue(forDose.every((entry: any) => entry.identifier[0].value.startsWith(`${key}@`)))
    const statuses = forDose.map((entry: any) => entry.doseStatus.coding[0].code)
    assert.includeMembers(['valid', 'notvalid'], statuses)
    const forecast = await fhir('GET', `/ImmunizationRecommendation?patient=Patient/${patient.id}`)
    assert.isAbove(forecast.json.total, 0)
  })
})
