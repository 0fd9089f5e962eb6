import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { dateRangeMatches, type DateRange } from '#interop/fhir/search_dates'
import { SearchError, type SearchErrorCode } from '#interop/fhir/search_error'
import { extractIndexEntries, type SearchableResource } from '#interop/fhir/search_parameters'
import { parseSearchQuery, type SearchFilter } from '#interop/fhir/search_query'

const CORPORA = join(process.cwd(), '..', 'shared', 'corpora')

function example(file: string): SearchableResource {
  return JSON.parse(readFileSync(join(CORPORA, 'fhir-r4', file), 'utf8'))
}

function search(type: string, query: string) {
  return parseSearchQuery(type, new URLSearchParams(query))
}

function onlyFilter(type: string, query: string): SearchFilter {
  const { filters } = search(type, query)
  if (filters.length !== 1) {
    throw new Error(`expected one filter, got ${filters.length}`)
  }
  return filters[0]
}

/** The error a search is refused with, or a failure if it is accepted. */
function refusal(type: string, query: string): SearchError {
  try {
    search(type, query)
  } catch (error) {
    if (error instanceof SearchError) {
      return error
    }
    throw error
  }
  throw new Error(`${type}?${query} was accepted`)
}

function assertRefused(
  assert: { equal(actual: unknown, expected: unknown, message?: string): void },
  type: string,
  query: string,
  code: SearchErrorCode,
  parameter: string
) {
  const error = refusal(type, query)
  assert.equal(error.code, code, `${type}?${query}: ${error.message}`)
  assert.equal(error.parameter, parameter, `${type}?${query}`)
}

/** Whether an indexed date matches `param=value`, the way the store must decide it. */
function dateMatches(range: DateRange, value: string): boolean {
  const filter = onlyFilter('Immunization', `date=${encodeURIComponent(value)}`)
  if (filter.kind !== 'date') {
    throw new Error('not a date filter')
  }
  return filter.values.some((searchValue) => dateRangeMatches(range, searchValue))
}

function indexedDate(resource: SearchableResource, param: string): DateRange {
  const entry = extractIndexEntries(resource).find((candidate) => candidate.param === param)
  if (entry?.kind !== 'date') {
    throw new Error(`no ${param} date indexed`)
  }
  return entry
}

test.group('FHIR search queries', () => {
  test('repeated parameters are ANDed, commas are ORed', ({ assert }) => {
    const query = search('Immunization', 'date=ge2020&date=lt2021&vaccine-code=08,140')

    assert.deepEqual(query.filters, [
      {
        param: 'date',
        kind: 'date',
        values: [
          { prefix: 'ge', start: '2020-01-01T00:00:00.000Z', end: '2020-12-31T23:59:59.999Z' },
        ],
      },
      {
        param: 'date',
        kind: 'date',
        values: [
          { prefix: 'lt', start: '2021-01-01T00:00:00.000Z', end: '2021-12-31T23:59:59.999Z' },
        ],
      },
      { param: 'vaccine-code', kind: 'token', values: [{ code: '08' }, { code: '140' }] },
    ])
    assert.equal(query.type, 'Immunization')
    assert.equal(query.count, 20)
    assert.equal(query.offset, 0)
  })

  test('a date search covers the precision it is written with', ({ assert }) => {
    const given = indexedDate(example('immunization-example.json'), 'date') // 2013-01-10

    assert.isTrue(dateMatches(given, '2013'))
    assert.isTrue(dateMatches(given, 'eq2013-01'))
    assert.isTrue(dateMatches(given, 'eq2013-01-10'))
    assert.isFalse(dateMatches(given, 'eq2013-01-10T10:00:00Z'), 'a day is wider than a second')
    assert.isFalse(dateMatches(given, 'eq2013-01-14'))
    assert.isTrue(dateMatches(given, 'ne2013-01-14'))
    assert.isFalse(dateMatches(given, 'ne2013-01-10'))
  })

  test('date prefixes compare the ranges as the specification tabulates', ({ assert }) => {
    const given = indexedDate(example('immunization-example.json'), 'date') // 2013-01-10

    assert.isTrue(dateMatches(given, 'gt2013-01-09'))
    assert.isFalse(dateMatches(given, 'gt2013-01-10'))
    assert.isTrue(dateMatches(given, 'ge2013-01-10'))
    assert.isFalse(dateMatches(given, 'ge2013-01-11'))
    assert.isTrue(dateMatches(given, 'lt2013-01-11'))
    assert.isFalse(dateMatches(given, 'lt2013-01-10'))
    assert.isTrue(dateMatches(given, 'le2013-01-10'))
    assert.isFalse(dateMatches(given, 'le2013-01-09'))
    assert.isTrue(dateMatches(given, 'sa2013-01-09'))
    assert.isTrue(dateMatches(given, 'eb2013-01-11'))
    assert.isFalse(dateMatches(given, 'eb2013-01-10'))
  })

  test('an ongoing period is after any date past its start', ({ assert }) => {
    const glucose = indexedDate(example('observation-example-f001-glucose.json'), 'date')

    assert.isTrue(dateMatches(glucose, 'gt2030'))
    assert.isFalse(dateMatches(glucose, 'lt2013-04-02T08:30:10Z'))
    assert.isFalse(dateMatches(glucose, 'eq2013-04-02'), 'an open end never lies within a day')
  })

  test('search dates take a zone, even when an unencoded + arrived as a space', ({ assert }) => {
    const expected = [
      { prefix: 'ge', start: '2013-01-14T09:00:00.000Z', end: '2013-01-14T09:00:00.999Z' },
    ]
    for (const query of [
      'date=ge2013-01-14T10:00:00%2B01:00',
      'date=ge2013-01-14T10:00:00+01:00',
    ]) {
      const filter = onlyFilter('Observation', query)
      assert.deepEqual(filter.values, expected, query)
    }
  })

  test('refuses bad dates and prefixes, naming the parameter', ({ assert }) => {
    assertRefused(assert, 'Patient', 'birthdate=2013-13-01', 'invalid-date', 'birthdate')
    assertRefused(assert, 'Patient', 'birthdate=yesterday', 'invalid-date', 'birthdate')
    assertRefused(assert, 'Patient', 'birthdate=2013-02-30', 'invalid-date', 'birthdate')
    assertRefused(assert, 'Patient', 'birthdate=xx2013', 'invalid-date', 'birthdate')
    assertRefused(assert, 'Patient', 'birthdate=ap2013', 'unsupported-value', 'birthdate')
    assertRefused(assert, 'Patient', 'birthdate=2013,', 'invalid-value', 'birthdate')
  })

  test('reads the four token forms', ({ assert }) => {
    const filter = onlyFilter(
      'Patient',
      'identifier=738472983,urn:oid:2.16.840.1.113883.2.4.6.3|738472983,|738472983,urn:oid:2.16.840.1.113883.2.4.6.3|'
    )

    assert.deepEqual(filter.values, [
      { code: '738472983' },
      { system: 'urn:oid:2.16.840.1.113883.2.4.6.3', code: '738472983' },
      { system: null, code: '738472983' },
      { system: 'urn:oid:2.16.840.1.113883.2.4.6.3' },
    ])
    assertRefused(assert, 'Patient', 'identifier=a|b|c', 'invalid-value', 'identifier')
    assertRefused(assert, 'Patient', 'identifier=|', 'invalid-value', 'identifier')
  })

  test('escaped commas and bars are part of a value', ({ assert }) => {
    const filter = onlyFilter('Patient', `identifier=${encodeURIComponent('sys\\|tem|a\\,b')}`)

    assert.deepEqual(filter.values, [{ system: 'sys|tem', code: 'a,b' }])
  })

  test('strings match from the start with case and accents ignored', ({ assert }) => {
    assert.deepEqual(onlyFilter('Patient', 'given=PIÉT').values, [
      { match: 'startsWith', text: 'piet' },
    ])
    assert.deepEqual(onlyFilter('Patient', 'family:exact=van de Heuvel'), {
      param: 'family',
      kind: 'string',
      modifier: 'exact',
      values: [{ match: 'exact', text: 'van de Heuvel' }],
    })
    assert.deepEqual(onlyFilter('Practitioner', 'name:contains=Broek').values, [
      { match: 'contains', text: 'broek' },
    ])

    const pieter = extractIndexEntries(example('patient-example-f001-pieter.json'))
    const given = pieter.find((entry) => entry.param === 'given')
    assert.isTrue(given?.kind === 'string' && given.value.startsWith('piet'))
  })

  test('refuses modifiers it does not implement', ({ assert }) => {
    assertRefused(assert, 'Patient', 'name:missing=true', 'unsupported-modifier', 'name:missing')
    assertRefused(assert, 'Patient', 'gender:not=male', 'unsupported-modifier', 'gender:not')
    assertRefused(
      assert,
      'Patient',
      'birthdate:exact=2013',
      'unsupported-modifier',
      'birthdate:exact'
    )
    assertRefused(
      assert,
      'Observation',
      'subject:identifier=x|1',
      'unsupported-modifier',
      'subject:identifier'
    )
  })

  test('reads references as Type/id, bare ids, URLs and URNs', ({ assert }) => {
    assert.deepEqual(onlyFilter('Immunization', 'patient=Patient/123').values, [
      { reference: 'Patient/123' },
    ])
    assert.deepEqual(onlyFilter('Immunization', 'patient=123').values, [
      { reference: 'Patient/123' },
    ])
    assert.deepEqual(
      onlyFilter('Immunization', 'patient=https://icdr.example.org/fhir/Patient/123/_history/4')
        .values,
      [{ reference: 'Patient/123' }, { reference: 'https://icdr.example.org/fhir/Patient/123' }]
    )
    assert.deepEqual(onlyFilter('Provenance', 'target=urn:uuid:9d3b2c6e').values, [
      { reference: 'urn:uuid:9d3b2c6e' },
    ])
  })

  test('a bare id stands for each type the parameter may refer to', ({ assert }) => {
    assert.deepEqual(onlyFilter('Condition', 'subject=f001').values, [
      { reference: 'Patient/f001' },
      { reference: 'Group/f001' },
    ])
    assert.deepEqual(onlyFilter('Observation', 'subject:Patient=f001'), {
      param: 'subject',
      kind: 'reference',
      modifier: 'Patient',
      values: [{ reference: 'Patient/f001' }],
    })
    assertRefused(assert, 'Provenance', 'target=123', 'invalid-value', 'target')
  })

  test('refuses references to types the parameter cannot point at', ({ assert }) => {
    assertRefused(assert, 'Immunization', 'patient=Organization/1', 'invalid-value', 'patient')
    assertRefused(
      assert,
      'Observation',
      'subject:Organization=1',
      'invalid-value',
      'subject:Organization'
    )
    assertRefused(
      assert,
      'Observation',
      'subject:Patient=Group/1',
      'invalid-value',
      'subject:Patient'
    )
    assertRefused(assert, 'Immunization', 'patient=not a reference', 'invalid-value', 'patient')
  })

  test('refuses unknown parameters instead of ignoring them', ({ assert }) => {
    assertRefused(assert, 'Patient', 'nickname=Piet', 'unknown-parameter', 'nickname')
    assertRefused(assert, 'Patient', 'nickname=', 'unknown-parameter', 'nickname')
    assertRefused(assert, 'Patient', 'constructor=x', 'unknown-parameter', 'constructor')
    assertRefused(assert, 'Immunization', 'subject=Patient/1', 'unknown-parameter', 'subject')
    assertRefused(
      assert,
      'Observation',
      'patient.name=Piet',
      'unsupported-parameter',
      'patient.name'
    )
    assertRefused(
      assert,
      'Patient',
      '_revinclude=Immunization:patient',
      'unsupported-parameter',
      '_revinclude'
    )

    const error = refusal('Patient', 'nickname=Piet')
    assert.include(error.message, 'nickname')
    assert.equal(error.status, 400)
    assert.equal(error.issueType, 'not-supported')
  })

  test('refuses a type it does not search', ({ assert }) => {
    assert.equal(refusal('Medication', 'code=1').code, 'unknown-type')
    assert.equal(refusal('__proto__', '').code, 'unknown-type')
  })

  test('ignores empty values and the parameters that only shape the response', ({ assert }) => {
    const query = search('Patient', 'name=&_format=json&_pretty=true&_elements=name&_count=')

    assert.deepEqual(query.filters, [])
    assert.equal(query.count, 20)
  })

  test('_count is a whole number, capped at 1000', ({ assert }) => {
    assert.equal(search('Patient', '_count=50').count, 50)
    assert.equal(search('Patient', '_count=0').count, 0)
    assert.equal(search('Patient', '_count=5000').count, 1000)
    assertRefused(assert, 'Patient', '_count=abc', 'invalid-count', '_count')
    assertRefused(assert, 'Patient', '_count=-1', 'invalid-count', '_count')
    assertRefused(assert, 'Patient', '_count=1.5', 'invalid-count', '_count')
    assertRefused(assert, 'Patient', '_count=10&_count=20', 'repeated-parameter', '_count')
  })

  test('pages with _offset', ({ assert }) => {
    assert.equal(search('Patient', '_count=10&_offset=30').offset, 30)
    assertRefused(assert, 'Patient', '_offset=-10', 'invalid-offset', '_offset')
  })

  test('_sort names parameters, a minus sign for descending', ({ assert }) => {
    assert.deepEqual(search('Immunization', '_sort=-date,_lastUpdated').sort, [
      { param: 'date', kind: 'date', descending: true },
      { param: '_lastUpdated', kind: 'date', descending: false },
    ])
    assert.deepEqual(search('Patient', '_sort=family,given').sort, [
      { param: 'family', kind: 'string', descending: false },
      { param: 'given', kind: 'string', descending: false },
    ])
    assertRefused(assert, 'Immunization', '_sort=-patient', 'invalid-sort', '_sort')
    assertRefused(assert, 'Immunization', '_sort=birthdate', 'invalid-sort', '_sort')
    assertRefused(assert, 'Immunization', '_sort=date,', 'invalid-sort', '_sort')
  })

  test('_include follows reference parameters of the searched type', ({ assert }) => {
    assert.deepEqual(search('Immunization', '_include=Immunization:patient').include, [
      { sourceType: 'Immunization', param: 'patient' },
    ])
    assert.deepEqual(
      search('Observation', '_include=Observation:subject:Patient&_include=Observation:encounter')
        .include,
      [
        { sourceType: 'Observation', param: 'subject', targetType: 'Patient' },
        { sourceType: 'Observation', param: 'encounter' },
      ]
    )
    assert.lengthOf(
      search('Encounter', '_include=Encounter:patient&_include=Encounter:patient').include,
      1
    )
  })

  test('refuses includes it cannot follow', ({ assert }) => {
    assertRefused(
      assert,
      'Immunization',
      '_include=Observation:patient',
      'invalid-include',
      '_include'
    )
    assertRefused(
      assert,
      'Immunization',
      '_include=Immunization:vaccine-code',
      'invalid-include',
      '_include'
    )
    assertRefused(
      assert,
      'Immunization',
      '_include=Immunization:patient:Group',
      'invalid-include',
      '_include'
    )
    assertRefused(assert, 'Immunization', '_include=Immunization', 'invalid-include', '_include')
    assertRefused(assert, 'Immunization', '_include=*', 'unsupported-value', '_include')
    assertRefused(
      assert,
      'Immunization',
      '_include:iterate=Immunization:patient',
      'unsupported-modifier',
      '_include:iterate'
    )
  })

  test('_total and _summary=count', ({ assert }) => {
    assert.equal(search('Patient', '_total=accurate').total, 'accurate')
    assert.equal(search('Patient', '_total=estimate').total, 'accurate')
    assert.equal(search('Patient', '_total=none').total, 'none')
    assert.isUndefined(search('Patient', '').total)
    assert.equal(search('Patient', '_summary=count').summary, 'count')
    assert.isUndefined(search('Patient', '_summary=false').summary)
    assertRefused(assert, 'Patient', '_total=some', 'invalid-value', '_total')
    assertRefused(assert, 'Patient', '_summary=true', 'unsupported-value', '_summary')
  })

  test('values that look like SQL are plain values', ({ assert }) => {
    const injection = encodeURIComponent("' OR 1=1 --")

    assert.deepEqual(onlyFilter('Patient', `family=${injection}`).values, [
      { match: 'startsWith', text: "' or 1=1 --" },
    ])
    assert.deepEqual(onlyFilter('Patient', `identifier=${injection}`).values, [
      { code: "' OR 1=1 --" },
    ])
    assertRefused(assert, 'Patient', `birthdate=${injection}`, 'invalid-date', 'birthdate')
    assertRefused(assert, 'Immunization', `patient=${injection}`, 'invalid-value', 'patient')
  })

  test('refuses more than a hundred alternatives in one parameter', ({ assert }) => {
    const codes = Array.from({ length: 101 }, (_, index) => String(index)).join(',')
    assertRefused(assert, 'Immunization', `vaccine-code=${codes}`, 'invalid-value', 'vaccine-code')
  })
})
