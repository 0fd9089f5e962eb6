import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ApiClientService } from '#services/api_client_service'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'
import { assertOperationOutcome, fhirClient, type FhirRequest } from '#tests/helpers/fhir_client'

const MRN = 'urn:outpost:test:mrn'

test.group('Shipped packs on a gateway', (group) => {
  let gateway: NodeProcess
  let fhir: FhirRequest
  let token: string

  group.setup(async () => {
    gateway = await startNode({ APP_ROLE: 'gateway' })
    db.manager.add('shipped_packs_gateway', {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: gateway.sqlitePath },
    })
    const clients = new ApiClientService(db.connection('shipped_packs_gateway') as any)
    token = await clients.register('tests', ['fhir'])
    fhir = fhirClient({ name: 'gateway', base: `${gateway.url}/fhir`, token })
    return async () => {
      await db.manager.close('shipped_packs_gateway')
      await gateway.stop()
    }
  })

  const child = (ageDays: number, extra: Record<string, unknown> = {}) => ({
    resourceType: 'Patient',
    id: randomUUID(),
    identifier: [{ system: MRN, value: randomUUID() }],
    name: [{ family: 'Wanjiku', given: ['Nuru'] }],
    gender: 'female',
    birthDate: DateTime.utc().minus({ days: ageDays }).toISODate(),
    ...extra,
  })

  test('registration-business refuses a child without an identifier, naming the rule', async ({
    assert,
  }) => {
    const patient = child(30, { identifier: undefined })
    const response = await fhir('POST', '/Patient', { body: patient })
    assertOperationOutcome(assert, response, 422, {
      expression: 'Patient.identifier',
      diagnostics: /registration-business@1\.0\.0#identifier-required/,
    })
    assertOperationOutcome(assert, await fhir('GET', `/Patient/${patient.id}`), 404)
  })

  test('registration-business refuses a second child with the same identifier', async ({
    assert,
  }) => {
    const first = child(30)
    const registered = await fhir('POST', '/Patient', { body: first })
    assert.equal(registered.status, 201)
    const twin = child(30, { identifier: first.identifier })
    const response = await fhir('POST', '/Patient', { body: twin })
    assertOperationOutcome(assert, response, 422, { diagnostics: /identifier-already-registered/ })
  })

  test('vital-signs-dq stores an implausible weight for age as a DetectedIssue', async ({
    assert,
  }) => {
    const patient = child(270)
    await fhir('POST', '/Patient', { body: patient })
    const weight = {
      resourceType: 'Observation',
      id: randomUUID(),
      status: 'final',
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/observation-category',
              code: 'vital-signs',
            },
          ],
        },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
      subject: { reference: `Patient/${patient.id}` },
      effectiveDateTime: DateTime.utc().toISODate(),
      valueQuantity: { value: 45, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    }
    const saved = await fhir('POST', '/Observation', { body: weight })
    assert.equal(saved.status, 201, saved.text)
    const issues = await fhir('GET', `/DetectedIssue?implicated=Observation/${weight.id}`)
    assert.equal(issues.json.total, 1, issues.text)
    assert.match(
      issues.json.entry[0].resource.identifier[0].value,
      /^vital-signs-dq@1\.0\.0#weight-implausible-for-age$/
    )
  })

  test('who-epi-immunization proposes the next pentavalent dose after the first', async ({
    assert,
  }) => {
    const patient = child(70)
    await fhir('POST', '/Patient', { body: patient })
    const given = DateTime.utc().minus({ days: 28 }).toISODate()
    const dose = await fhir('POST', '/Immunization', {
      body: {
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '102' }] },
        patient: { reference: `Patient/${patient.id}` },
        occurrenceDateTime: given,
        primarySource: true,
      },
    })
    assert.equal(dose.status, 201, dose.text)
    const found = await fhir('GET', `/ImmunizationRecommendation?patient=${patient.id}`)
    assert.equal(found.json.total, 1, found.text)
    const penta = found.json.entry[0].resource.recommendation.find(
      (entry: any) => entry.series === 'penta'
    )
    assert.equal(penta.doseNumberPositiveInt, 2)
    assert.include(penta.description, 'who-epi-immunization@1.0.0#penta-next-dose')
    const earliest = penta.dateCriterion.find((c: any) => c.code.coding[0].code === '30981-5')
    assert.equal(earliest.value, DateTime.fromISO(given!).plus({ days: 28 }).toISODate())
  })

  test('opening a chart computes the due list now, without storing it', async ({ assert }) => {
    const patient = child(60)
    await fhir('POST', '/Patient', { body: patient })
    const response = await fetch(`${gateway.url}/api/v1/patients/${patient.id}/due`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(response.status, 200)
    const chart = (await response.json()) as any
    assert.equal(chart.patient, `Patient/${patient.id}`)
    const [who] = chart.recommendations
    assert.equal(who.identifier[0].value, 'who-epi-immunization@1.0.0')
    const series = who.recommendation.map((entry: any) => entry.series)
    assert.includeMembers(series, ['penta', 'pcv', 'rota', 'opv'])
    const unknown = await fetch(`${gateway.url}/api/v1/patients/nobody/due`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(unknown.status, 404)
    const anonymous = await fetch(`${gateway.url}/api/v1/patients/${patient.id}/due`)
    assert.equal(anonymous.status, 401)
  })
})
