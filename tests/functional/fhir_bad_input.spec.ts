import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import { FHIR_NODES } from '#tests/helpers/fhir_nodes'
import {
  assertOperationOutcome,
  corpusResource,
  corpusText,
  fhirClient,
  type FhirRequest,
} from '#tests/helpers/fhir_client'

for (const node of FHIR_NODES) {
  let fhir: FhirRequest
  let anchor: { id: string; text: string }

  /** Bad input must leave what is stored exactly as it was. */
  async function assertUnchanged(assert: any) {
    const read = await fhir('GET', `/Patient/${anchor.id}`)
    assert.equal(read.text, anchor.text)
  }

  test.group(`FHIR bad input on the ${node.name}`, (group) => {
    group.setup(async () => {
      fhir = fhirClient(await node.start())
      const patient = corpusResource('patient-example-f001-pieter.json')
      await fhir('PUT', `/Patient/${patient.id}`, { body: patient })
      const stored = await fhir('GET', `/Patient/${patient.id}`)
      anchor = { id: patient.id, text: stored.text }
    })

    test('malformed JSON is a 400', async ({ assert }) => {
      const response = await fhir('PUT', `/Patient/${anchor.id}`, {
        body: '{"resourceType": "Patient",',
      })
      assertOperationOutcome(assert, response, 400)
      await assertUnchanged(assert)
    })

    test('a body of another type than the URL is refused', async ({ assert }) => {
      const observation = corpusResource('observation-example.json', anchor.id)
      assertOperationOutcome(
        assert,
        await fhir('PUT', `/Patient/${anchor.id}`, { body: observation }),
        400,
        { expression: 'resourceType' }
      )
      assertOperationOutcome(
        assert,
        await fhir('POST', '/Patient', { body: { resourceType: 'Spaceship' } }),
        400
      )
      await assertUnchanged(assert)
    })

    test('an unknown element or a bad date is a 422 naming the element', async ({ assert }) => {
      const patient = JSON.parse(corpusText('patient-example-f001-pieter.json'))
      const unknown = await fhir('PUT', `/Patient/${anchor.id}`, {
        body: { ...patient, id: anchor.id, favouriteColour: 'blue' },
      })
      assertOperationOutcome(assert, unknown, 422, { expression: 'favouriteColour' })
      const badDate = await fhir('PUT', `/Patient/${anchor.id}`, {
        body: { ...patient, id: anchor.id, birthDate: '31/12/2020' },
      })
      assertOperationOutcome(assert, badDate, 422, { expression: 'Patient.birthDate' })
      await assertUnchanged(assert)
    })

    test('a 10 MB body is refused with 413', async ({ assert }) => {
      const huge = JSON.stringify({
        resourceType: 'Patient',
        id: anchor.id,
        text: {
          status: 'generated',
          div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(10 * 1024 * 1024)}</div>`,
        },
      })
      assertOperationOutcome(
        assert,
        await fhir('PUT', `/Patient/${anchor.id}`, { body: huge }),
        413
      )
      await assertUnchanged(assert)
    })

    test('deep nesting is refused before it is parsed', async ({ assert }) => {
      const deep = `{"resourceType":"Patient","extension":${'['.repeat(5000)}${']'.repeat(5000)}}`
      assertOperationOutcome(
        assert,
        await fhir('PUT', `/Patient/${anchor.id}`, { body: deep }),
        400
      )
      await assertUnchanged(assert)
    })

    test('XML is not served: 406; other content types: 415', async ({ assert }) => {
      assertOperationOutcome(
        assert,
        await fhir('GET', `/Patient/${anchor.id}`, { headers: { accept: 'application/fhir+xml' } }),
        406
      )
      assertOperationOutcome(assert, await fhir('GET', `/Patient/${anchor.id}?_format=xml`), 406)
      const xml = await fhir('POST', '/Patient', {
        body: '<Patient xmlns="http://hl7.org/fhir"/>',
        headers: { 'content-type': 'application/fhir+xml' },
      })
      assert.oneOf(xml.status, [415])
      assert.equal(xml.json?.resourceType, 'OperationOutcome')
    })

    test('an unknown endpoint is a 404 OperationOutcome', async ({ assert }) => {
      assertOperationOutcome(
        assert,
        await fhir('GET', `/Patient/${randomUUID()}/_history/1/extra`),
        404
      )
    })
  })
}
