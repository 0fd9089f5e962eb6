import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import { Client } from 'fhir-kit-client'
import { FHIR_NODES } from '#tests/helpers/fhir_nodes'

for (const node of FHIR_NODES) {
  test.group(`An independent FHIR client (fhir-kit-client) against the ${node.name}`, () => {
    test('registers a child, records a dose, finds and pages them, and reads history', async ({
      assert,
    }) => {
      const { base, token } = await node.start()
      const client = new Client({ baseUrl: base, bearerToken: token })

      const capability: any = await client.capabilityStatement()
      assert.equal(capability.fhirVersion, '4.0.1')

      const family = `Kit${randomUUID().slice(0, 8)}`
      const patient: any = await client.create({
        resourceType: 'Patient',
        body: {
          resourceType: 'Patient',
          name: [{ family, given: ['Neema'] }],
          birthDate: '2025-01-10',
        },
      })
      assert.exists(patient.id)

      for (const date of ['2025-01-10', '2025-02-21', '2025-03-21']) {
        await client.create({
          resourceType: 'Immunization',
          body: {
            resourceType: 'Immunization',
            status: 'completed',
            vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '10' }] },
            patient: { reference: `Patient/${patient.id}` },
            occurrenceDateTime: date,
          },
        })
      }

      const found: any = await client.search({ resourceType: 'Patient', searchParams: { family } })
      assert.equal(found.total, 1)

      const firstPage: any = await client.search({
        resourceType: 'Immunization',
        searchParams: { patient: patient.id, _count: 2, _sort: 'date' },
      })
      assert.lengthOf(firstPage.entry, 2)
      const secondPage: any = await client.nextPage({ bundle: firstPage })
      assert.lengthOf(secondPage.entry, 1)
      assert.equal(secondPage.entry[0].resource.occurrenceDateTime, '2025-03-21')

      const updated: any = await client.update({
        resourceType: 'Patient',
        id: patient.id,
        body: { ...patient, gender: 'female' },
      })
      assert.equal(updated.meta.versionId, '2')
      const history: any = await client.history({ resourceType: 'Patient', id: patient.id })
      assert.equal(history.total, 2)

      await client.delete({ resourceType: 'Patient', id: patient.id })
      await assert.rejects(() => client.read({ resourceType: 'Patient', id: patient.id }))
    })
  })
}
