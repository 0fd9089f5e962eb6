import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import { FHIR_NODES } from '#tests/helpers/fhir_nodes'
import { assertOperationOutcome, fhirClient, type FhirRequest } from '#tests/helpers/fhir_client'

/** A small family of records with a unique identifier system per run, so searches see only them. */
async function seedFamily(fhir: FhirRequest) {
  const system = `urn:outpost:test:${randomUUID()}`
  const child = {
    resourceType: 'Patient',
    id: randomUUID(),
    identifier: [{ system, value: 'CHILD-1' }],
    name: [{ family: 'Mwangi', given: ['Amani', 'Wanjiru'] }],
    gender: 'female',
    birthDate: '2024-03-15',
  }
  const sibling = {
    resourceType: 'Patient',
    id: randomUUID(),
    identifier: [{ system, value: 'CHILD-2' }],
    name: [{ family: 'Mwangi', given: ['Baraka'] }],
    gender: 'male',
    birthDate: '2021-07-01',
  }
  for (const patient of [child, sibling]) {
    const response = await fhir('PUT', `/Patient/${patient.id}`, { body: patient })
    if (response.status !== 201) {
      throw new Error(response.text)
    }
  }
  const doses = [
    ['2024-03-15', '19', 'BCG'],
    ['2024-04-26', '110', 'DTaP-HepB-IPV'],
    ['2024-05-24', '110', 'DTaP-HepB-IPV'],
    ['2024-06-21', '110', 'DTaP-HepB-IPV'],
  ]
  const immunizations = []
  for (const [date, cvx, display] of doses) {
    const immunization = {
      resourceType: 'Immunization',
      id: randomUUID(),
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: cvx, display }] },
      patient: { reference: `Patient/${child.id}` },
      occurrenceDateTime: date,
      primarySource: true,
    }
    await fhir('PUT', `/Immunization/${immunization.id}`, { body: immunization })
    immunizations.push(immunization)
  }
  return { system, child, sibling, immunizations }
}

for (const node of FHIR_NODES) {
  let fhir: FhirRequest
  let family: Awaited<ReturnType<typeof seedFamily>>

  test.group(`FHIR search on the ${node.name}`, (group) => {
    group.setup(async () => {
      fhir = fhirClient(await node.start())
      family = await seedFamily(fhir)
    })

    test('patients by identifier, name, family, given, gender and birth date', async ({
      assert,
    }) => {
      const { system, child, sibling } = family
      const ids = async (query: string) => {
        const response = await fhir('GET', `/Patient?${query}`)
        assert.equal(response.status, 200, response.text)
        assert.equal(response.json.type, 'searchset')
        return (response.json.entry ?? []).map((entry: any) => entry.resource.id).sort()
      }
      const scope = `identifier=${encodeURIComponent(system)}|`
      assert.deepEqual(await ids(`identifier=${encodeURIComponent(`${system}|CHILD-1`)}`), [
        child.id,
      ])
      assert.deepEqual(await ids(`${scope}&family=mwangi`), [child.id, sibling.id].sort())
      assert.deepEqual(await ids(`${scope}&given=bar`), [sibling.id])
      assert.deepEqual(await ids(`${scope}&name=wanjiru`), [child.id])
      assert.deepEqual(await ids(`${scope}&gender=male`), [sibling.id])
      assert.deepEqual(await ids(`${scope}&birthdate=2024`), [child.id])
      assert.deepEqual(await ids(`${scope}&birthdate=ge2022-01-01`), [child.id])
      assert.deepEqual(await ids(`${scope}&birthdate=lt2022-01-01`), [sibling.id])
      assert.deepEqual(await ids(`${scope}&birthdate=eq2021-07`), [sibling.id])
      assert.deepEqual(await ids(`_id=${child.id},${sibling.id}`), [child.id, sibling.id].sort())
    })

    test('immunizations by patient, date range, vaccine code and status', async ({ assert }) => {
      const { child } = family
      const count = async (query: string) => {
        const response = await fhir('GET', `/Immunization?${query}`)
        assert.equal(response.status, 200, response.text)
        return response.json.total
      }
      assert.equal(await count(`patient=Patient/${child.id}`), 4)
      assert.equal(
        await count(`patient=${child.id}&vaccine-code=http://hl7.org/fhir/sid/cvx|110`),
        3
      )
      assert.equal(await count(`patient=${child.id}&vaccine-code=19`), 1)
      assert.equal(await count(`patient=${child.id}&date=ge2024-05-01&date=lt2024-07-01`), 2)
      assert.equal(await count(`patient=${child.id}&status=completed`), 4)
      assert.equal(await count(`patient=${child.id}&status=not-done`), 0)
    })

    test('pages with _count and next links, sorted by date', async ({ assert }) => {
      const { child, immunizations } = family
      const first = await fhir('GET', `/Immunization?patient=${child.id}&_count=3&_sort=-date`)
      assert.equal(first.json.total, 4)
      assert.lengthOf(first.json.entry, 3)
      assert.deepEqual(
        first.json.entry.map((entry: any) => entry.resource.occurrenceDateTime),
        ['2024-06-21', '2024-05-24', '2024-04-26']
      )
      const next = first.json.link.find((link: any) => link.relation === 'next')
      assert.exists(next)
      const { token } = await node.start()
      const second = await fetch(next.url, {
        headers: { authorization: `Bearer ${token}` },
      }).then((response) => response.json() as Promise<any>)
      assert.deepEqual(
        second.entry.map((entry: any) => entry.resource.id),
        [immunizations[0].id]
      )
      assert.notExists(second.link.find((link: any) => link.relation === 'next'))
    })

    test('_include brings the patient of each immunization', async ({ assert }) => {
      const { child } = family
      const response = await fhir(
        'GET',
        `/Immunization?patient=${child.id}&_include=Immunization:patient`
      )
      const included = response.json.entry.filter((entry: any) => entry.search.mode === 'include')
      assert.lengthOf(included, 1)
      assert.equal(included[0].resource.id, child.id)
    })

    test('POST _search takes the parameters as a form', async ({ assert }) => {
      const { child } = family
      const response = await fhir('POST', '/Immunization/_search', {
        body: `patient=${child.id}&vaccine-code=110`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.json.total, 3)
    })

    test('type history lists every version of the type, newest first', async ({ assert }) => {
      const response = await fhir('GET', '/Immunization/_history?_count=2')
      assert.equal(response.status, 200, response.text)
      assert.equal(response.json.type, 'history')
      assert.isAtLeast(response.json.total, 4)
      assert.lengthOf(response.json.entry, 2)
      const [newest, older] = response.json.entry.map((entry: any) => entry.response.lastModified)
      assert.isTrue(newest >= older)
      assert.exists(response.json.link.find((link: any) => link.relation === 'next'))
    })

    test('SQL-looking values are only values', async ({ assert }) => {
      for (const value of ["' OR 1=1 --", '%', '_', "x'; DROP TABLE fhir_resources; --"]) {
        const response = await fhir('GET', `/Patient?family=${encodeURIComponent(value)}`)
        assert.equal(response.status, 200, response.text)
        assert.equal(response.json.total, 0)
      }
      const still = await fhir('GET', `/Patient?_id=${family.child.id}`)
      assert.equal(still.json.total, 1)
    })

    test('unknown parameters and bad values are reported, not ignored', async ({ assert }) => {
      assertOperationOutcome(assert, await fhir('GET', '/Patient?shoe-size=42'), 400, {
        expression: 'shoe-size',
      })
      assertOperationOutcome(assert, await fhir('GET', '/Patient?birthdate=yesterday'), 400)
      assertOperationOutcome(assert, await fhir('GET', '/Patient?_count=-1'), 400)
    })
  })
}
