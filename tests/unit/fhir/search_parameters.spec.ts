import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { parseDateRange } from '#interop/fhir/search_dates'
import { normaliseSearchText } from '#interop/fhir/search_normalise'
import {
  extractIndexEntries,
  type IndexEntry,
  type SearchableResource,
} from '#interop/fhir/search_parameters'

type Resource = SearchableResource & Record<string, unknown>

const CORPORA = join(process.cwd(), '..', 'shared', 'corpora')

function example(file: string): Resource {
  return JSON.parse(readFileSync(join(CORPORA, 'fhir-r4', file), 'utf8'))
}

function synthea(type: string): Resource[] {
  return readFileSync(join(CORPORA, 'synthea', `${type}.000.ndjson`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line))
}

function entriesFor(resource: Resource, param: string): IndexEntry[] {
  return extractIndexEntries(resource).filter((entry) => entry.param === param)
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

test.group('FHIR search parameters', () => {
  test('indexes a patient by family name, given names and identifier', ({ assert }) => {
    const pieter = example('patient-example-f001-pieter.json')

    assert.deepEqual(entriesFor(pieter, 'family'), [
      { param: 'family', kind: 'string', value: 'van de heuvel', display: 'van de Heuvel' },
    ])
    assert.deepEqual(entriesFor(pieter, 'given'), [
      { param: 'given', kind: 'string', value: 'pieter', display: 'Pieter' },
    ])
    assert.deepEqual(entriesFor(pieter, 'identifier'), [
      {
        param: 'identifier',
        kind: 'token',
        system: 'urn:oid:2.16.840.1.113883.2.4.6.3',
        value: '738472983',
      },
      // The second identifier has a system and no value: still findable by `system|`.
      {
        param: 'identifier',
        kind: 'token',
        system: 'urn:oid:2.16.840.1.113883.2.4.6.3',
        value: null,
      },
    ])
    assert.deepEqual(entriesFor(pieter, '_id'), [
      { param: '_id', kind: 'token', system: null, value: 'f001' },
    ])
  })

  test('name covers every part of a HumanName and repeated identifiers count once', ({
    assert,
  }) => {
    const roel = example('patient-example-f201-roel.json')

    const names = entriesFor(roel, 'name').map((entry) => entry.kind === 'string' && entry.value)
    assert.sameMembers(names, ['roel', 'bor', 'roelof olaf', 'drs.', 'pdeng.'])
    assert.lengthOf(entriesFor(roel, 'identifier'), 1)
  })

  test('codes carry the code system their binding implies; booleans are tokens', ({ assert }) => {
    const pieter = example('patient-example-f001-pieter.json')

    assert.deepEqual(entriesFor(pieter, 'gender'), [
      {
        param: 'gender',
        kind: 'token',
        system: 'http://hl7.org/fhir/administrative-gender',
        value: 'male',
      },
    ])
    assert.deepEqual(entriesFor(pieter, 'active'), [
      { param: 'active', kind: 'token', system: null, value: 'true' },
    ])
  })

  test('a birth date covers its whole day in UTC', ({ assert }) => {
    assert.deepEqual(entriesFor(example('patient-example-f001-pieter.json'), 'birthdate'), [
      {
        param: 'birthdate',
        kind: 'date',
        start: '1944-11-17T00:00:00.000Z',
        end: '1944-11-17T23:59:59.999Z',
      },
    ])
  })

  test('date precision sets the period a value covers', ({ assert }) => {
    assert.deepEqual(parseDateRange('2012'), {
      start: '2012-01-01T00:00:00.000Z',
      end: '2012-12-31T23:59:59.999Z',
    })
    assert.deepEqual(parseDateRange('2012-02'), {
      start: '2012-02-01T00:00:00.000Z',
      end: '2012-02-29T23:59:59.999Z',
    })
    assert.deepEqual(parseDateRange('2013-01-14T10:00'), {
      start: '2013-01-14T10:00:00.000Z',
      end: '2013-01-14T10:00:59.999Z',
    })
    assert.deepEqual(parseDateRange('2013-01-14T10:00:00.5Z'), {
      start: '2013-01-14T10:00:00.500Z',
      end: '2013-01-14T10:00:00.599Z',
    })
  })

  test('times with a zone become UTC, times without one are read as UTC', ({ assert }) => {
    assert.deepEqual(parseDateRange('2013-04-02T09:30:10+01:00'), {
      start: '2013-04-02T08:30:10.000Z',
      end: '2013-04-02T08:30:10.999Z',
    })
    assert.deepEqual(parseDateRange('2013-04-02T09:30:10'), {
      start: '2013-04-02T09:30:10.000Z',
      end: '2013-04-02T09:30:10.999Z',
    })
  })

  test('impossible dates are not dates', ({ assert }) => {
    for (const text of ['2013-02-30', '2013-13', '0000', '2013-01-14T24:00:00Z', 'January 2012']) {
      assert.isNull(parseDateRange(text), text)
    }
  })

  test('a period without an end is open-ended', ({ assert }) => {
    assert.deepEqual(entriesFor(example('observation-example-f001-glucose.json'), 'date'), [
      { param: 'date', kind: 'date', start: '2013-04-02T08:30:10.000Z', end: null },
    ])
  })

  test('an encounter is dated by its period, across time zones', ({ assert }) => {
    const encounter = synthea('Encounter')[0]

    assert.deepEqual(entriesFor(encounter, 'date'), [
      {
        param: 'date',
        kind: 'date',
        start: '1989-10-04T06:25:16.000Z',
        end: '1989-10-04T10:20:16.999Z',
      },
    ])
    assert.deepEqual(entriesFor(encounter, 'class'), [
      {
        param: 'class',
        kind: 'token',
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        value: 'AMB',
      },
    ])
  })

  test('an immunization given "January 2012" has no date to search by', ({ assert }) => {
    const historical = example('immunization-example-historical.json')

    assert.lengthOf(entriesFor(historical, 'date'), 0)
    assert.deepEqual(entriesFor(historical, 'patient'), [
      { param: 'patient', kind: 'reference', reference: 'Patient/example' },
    ])
  })

  test('indexes an immunization by vaccine code, status and date', ({ assert }) => {
    const immunization = example('immunization-example.json')

    assert.deepEqual(entriesFor(immunization, 'vaccine-code'), [
      {
        param: 'vaccine-code',
        kind: 'token',
        system: 'urn:oid:1.2.36.1.2001.1005.17',
        value: 'FLUVAX',
      },
    ])
    assert.deepEqual(entriesFor(immunization, 'status'), [
      {
        param: 'status',
        kind: 'token',
        system: 'http://hl7.org/fhir/event-status',
        value: 'completed',
      },
    ])
    assert.deepEqual(entriesFor(immunization, 'date'), [
      {
        param: 'date',
        kind: 'date',
        start: '2013-01-10T00:00:00.000Z',
        end: '2013-01-10T23:59:59.999Z',
      },
    ])
  })

  test('every coding of an observation code is a token', ({ assert }) => {
    const weight = example('observation-example.json')

    const codes = entriesFor(weight, 'code').map((entry) => entry.kind === 'token' && entry.value)
    assert.sameMembers(codes, ['29463-7', '3141-9', '27113001', 'body-weight'])
    assert.deepEqual(entriesFor(weight, 'category'), [
      {
        param: 'category',
        kind: 'token',
        system: 'http://terminology.hl7.org/CodeSystem/observation-category',
        value: 'vital-signs',
      },
    ])
  })

  test('patient indexes only subjects that are patients', ({ assert }) => {
    const aboutGroup = {
      ...example('observation-example.json'),
      subject: { reference: 'Group/102' },
    }

    assert.lengthOf(entriesFor(aboutGroup, 'patient'), 0)
    assert.deepEqual(entriesFor(aboutGroup, 'subject'), [
      { param: 'subject', kind: 'reference', reference: 'Group/102' },
    ])
    assert.deepEqual(entriesFor(example('condition-example-f001-heart.json'), 'patient'), [
      { param: 'patient', kind: 'reference', reference: 'Patient/f001' },
    ])
  })

  test('references drop their version; absolute URLs and URNs are kept', ({ assert }) => {
    const provenance: Resource = {
      resourceType: 'Provenance',
      id: 'p1',
      target: [
        { reference: 'Patient/example/_history/2' },
        { reference: 'https://other.example.org/fhir/Immunization/9/_history/1' },
        { reference: 'urn:uuid:9d3b2c6e-1f4a-4e0b-9c59-8a6f0c1d2e3f' },
        { reference: '#contained' },
      ],
      recorded: '2024-03-01T08:00:00Z',
    }

    assert.deepEqual(
      entriesFor(provenance, 'target').map(
        (entry) => entry.kind === 'reference' && entry.reference
      ),
      [
        'Patient/example',
        'https://other.example.org/fhir/Immunization/9',
        'urn:uuid:9d3b2c6e-1f4a-4e0b-9c59-8a6f0c1d2e3f',
      ]
    )
    assert.deepEqual(entriesFor(provenance, 'patient'), [
      { param: 'patient', kind: 'reference', reference: 'Patient/example' },
    ])
  })

  test('an audit event is found by its codes, date and the patient it is about', ({ assert }) => {
    const login = example('audit-event-example-login.json')
    assert.deepEqual(entriesFor(login, 'action'), [
      {
        param: 'action',
        kind: 'token',
        system: 'http://hl7.org/fhir/audit-event-action',
        value: 'E',
      },
    ])
    assert.deepEqual(entriesFor(login, 'subtype'), [
      {
        param: 'subtype',
        kind: 'token',
        system: 'http://dicom.nema.org/resources/ontology/DCM',
        value: '110122',
      },
    ])
    // Agents named by identifier only have no literal reference to index.
    assert.lengthOf(entriesFor(login, 'agent'), 0)

    const read = { ...login, entity: [{ what: { reference: 'Patient/f001' } }] }
    assert.deepEqual(entriesFor(read, 'patient'), [
      { param: 'patient', kind: 'reference', reference: 'Patient/f001' },
    ])
    assert.deepEqual(entriesFor(example('auditevent-example-error.json'), 'entity'), [])
  })

  test('immunization evaluations and recommendations index their CDS fields', ({ assert }) => {
    const evaluation = example('immunizationevaluation-example.json')
    assert.deepEqual(entriesFor(evaluation, 'immunization-event'), [
      { param: 'immunization-event', kind: 'reference', reference: 'Immunization/example' },
    ])
    assert.deepEqual(entriesFor(evaluation, 'target-disease'), [
      {
        param: 'target-disease',
        kind: 'token',
        system: 'http://snomed.info/sct',
        value: '1857005',
      },
    ])

    const recommendation: Resource = {
      resourceType: 'ImmunizationRecommendation',
      patient: { reference: 'Patient/infant-twin-1' },
      date: '2017-06-01T10:00:00+02:00',
      recommendation: [
        {
          vaccineCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '08' }] }],
          forecastStatus: { coding: [{ code: 'due' }] },
        },
      ],
    }
    assert.deepEqual(entriesFor(recommendation, 'status'), [
      { param: 'status', kind: 'token', system: null, value: 'due' },
    ])
    assert.deepEqual(entriesFor(recommendation, 'vaccine-type'), [
      { param: 'vaccine-type', kind: 'token', system: 'http://hl7.org/fhir/sid/cvx', value: '08' },
    ])
  })

  test('a location without a literal managing organization has no organization row', ({
    assert,
  }) => {
    const location = synthea('Location')[0]

    assert.lengthOf(entriesFor(location, 'organization'), 0)
    assert.deepEqual(entriesFor(location, 'name'), [
      {
        param: 'name',
        kind: 'string',
        value: 'life care center of burlington',
        display: 'LIFE CARE CENTER OF BURLINGTON',
      },
    ])
  })

  test('every corpus resource indexes into well-formed rows', ({ assert }) => {
    const files = readdirSync(join(CORPORA, 'fhir-r4')).filter((file) => file.endsWith('.json'))
    const resources = [
      ...files.map(example),
      ...[
        'Patient',
        'Practitioner',
        'Organization',
        'Location',
        'Encounter',
        'Condition',
        'Immunization',
      ].flatMap(synthea),
    ]
    for (const resource of resources) {
      for (const entry of extractIndexEntries(resource)) {
        if (entry.kind === 'date') {
          assert.isFalse(entry.start === null && entry.end === null)
          for (const instant of [entry.start, entry.end]) {
            assert.isTrue(instant === null || ISO_INSTANT.test(instant), String(instant))
          }
        }
        if (entry.kind === 'reference') {
          assert.match(
            entry.reference,
            /^([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+|https?:\/\/\S+|urn:\S+)$/
          )
        }
      }
    }
    assert.deepEqual(extractIndexEntries(example('bundle-example.json')), [])
  })

  test('search text ignores case, accents and extra spaces', ({ assert }) => {
    assert.equal(normaliseSearchText('Piëter'), 'pieter')
    assert.equal(normaliseSearchText('  ZOË   Müller-Lüdenscheidt '), 'zoe muller-ludenscheidt')
    assert.equal(normaliseSearchText('Ångström'), 'angstrom')
  })
})
