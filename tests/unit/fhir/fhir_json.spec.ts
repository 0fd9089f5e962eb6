import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { FhirError } from '#interop/fhir/fhir_error'
import { MAX_JSON_DEPTH, parseFhirJson, withTopLevel } from '#interop/fhir/fhir_json'

const EXAMPLES = join(process.cwd(), '..', 'shared', 'corpora', 'fhir-r4')

function refusal(action: () => unknown): FhirError {
  try {
    action()
  } catch (error) {
    if (error instanceof FhirError) {
      return error
    }
    throw error
  }
  throw new Error('expected a FhirError')
}

function nested(depth: number): string {
  return '{"a":'.repeat(depth - 1) + '[]' + '}'.repeat(depth - 1)
}

test.group('FHIR JSON bodies', () => {
  test('keeps the body-height example value 66.899999999999991 exactly as written', async ({
    assert,
  }) => {
    const text = await readFile(join(EXAMPLES, 'observation-example-body-height.json'), 'utf8')
    const { resource, preserved } = parseFhirJson(text)

    assert.include(JSON.stringify(preserved), '"value":66.899999999999991')
    assert.equal((resource as any).valueQuantity.value, 66.89999999999999)
  })

  test('keeps the precision of decimals and leaves plain numbers alone', ({ assert }) => {
    const { resource, preserved } = parseFhirJson(
      '{"a":1.30,"b":-0.0,"c":1E2,"d":[5,0.5,2.50],"e":12345678901234567890}'
    )

    assert.equal(
      JSON.stringify(preserved),
      '{"a":1.30,"b":-0.0,"c":1E2,"d":[5,0.5,2.50],"e":12345678901234567890}'
    )
    assert.deepEqual(resource, {
      a: 1.3,
      b: -0,
      c: 100,
      d: [5, 0.5, 2.5],
      e: Number('12345678901234567890'),
    })
    assert.strictEqual((preserved as any).d[0], 5)
  })

  test('serialises every corpus example back to the same values', async ({ assert }) => {
    const names = await readdir(EXAMPLES)
    const files = names.filter((file) => file.endsWith('.json'))
    assert.lengthOf(files, 28)
    for (const file of files) {
      const { resource, preserved } = parseFhirJson(await readFile(join(EXAMPLES, file), 'utf8'))
      assert.deepEqual(JSON.parse(JSON.stringify(preserved)), resource, file)
    }
  })

  test('refuses malformed JSON with 400 and where the parser stopped', ({ assert }) => {
    const error = refusal(() => parseFhirJson('{"resourceType": "Patient",}'))

    assert.equal(error.status, 400)
    assert.equal(error.code, 'E_FHIR_MALFORMED_JSON')
    assert.equal(error.issues[0].code, 'structure')
    assert.match(error.issues[0].diagnostics!, /position 27/)
  })

  test('refuses an empty body', ({ assert }) => {
    assert.equal(refusal(() => parseFhirJson('')).code, 'E_FHIR_MALFORMED_JSON')
  })

  test('refuses nesting deeper than the limit before anything recurses', ({ assert }) => {
    const error = refusal(() => parseFhirJson('['.repeat(200_000) + ']'.repeat(200_000)))

    assert.equal(error.status, 400)
    assert.equal(error.code, 'E_FHIR_TOO_DEEP')
    assert.equal(error.issues[0].code, 'too-costly')
    assert.equal(refusal(() => parseFhirJson(nested(MAX_JSON_DEPTH + 1))).code, 'E_FHIR_TOO_DEEP')
  })

  test('accepts nesting up to the limit and ignores brackets inside strings', ({ assert }) => {
    assert.doesNotThrow(() => parseFhirJson(nested(MAX_JSON_DEPTH)))
    const { resource } = parseFhirJson(`{"div":"${'[{'.repeat(100)}\\"[{"}`)
    assert.equal((resource as any).div, '[{'.repeat(100) + '"[{')
  })

  test('ignores a byte order mark', ({ assert }) => {
    assert.deepEqual(parseFhirJson('\uFEFF{"resourceType":"Patient"}').resource, {
      resourceType: 'Patient',
    })
  })
})

test.group('Server-assigned top-level properties', () => {
  test('puts id and meta right after resourceType and keeps raw decimals', ({ assert }) => {
    const { preserved } = parseFhirJson(
      '{"resourceType":"Observation","status":"final","id":"client","valueQuantity":{"value":1.30}}'
    )
    const stored = withTopLevel(preserved, { id: 'server', meta: { versionId: '1' } })

    assert.equal(
      JSON.stringify(stored),
      '{"resourceType":"Observation","id":"server","meta":{"versionId":"1"},"status":"final","valueQuantity":{"value":1.30}}'
    )
  })

  test('removes a property given as undefined', ({ assert }) => {
    const stored = withTopLevel(
      { resourceType: 'Patient', id: 'a', text: { status: 'generated' } },
      {
        text: undefined,
      }
    )
    assert.deepEqual(stored, { resourceType: 'Patient', id: 'a' })
  })

  test('keeps a "__proto__" key as data', ({ assert }) => {
    const { preserved } = parseFhirJson('{"resourceType":"Patient","__proto__":{"polluted":true}}')
    const stored = withTopLevel(preserved, { id: 'a' })

    assert.isUndefined((stored as any).polluted)
    assert.equal(
      JSON.stringify(stored),
      '{"resourceType":"Patient","id":"a","__proto__":{"polluted":true}}'
    )
  })

  test('refuses a body that is not an object', ({ assert }) => {
    assert.equal(refusal(() => withTopLevel([1], { id: 'a' })).status, 400)
  })
})
