import { test } from '@japa/runner'
import { parseSearchQuery } from '#interop/fhir/search_query'
import { searchQueryText } from '#interop/fhir/search_query_text'

function roundTrip(type: string, query: string) {
  const parsed = parseSearchQuery(type, new URLSearchParams(query))
  const written = searchQueryText(parsed)
  return { parsed, written, reparsed: parseSearchQuery(type, written) }
}

test.group('A search written back as a query string', () => {
  test('{$self} selects what it selected')
    .with([
      'Patient?name=Zawadi&birthdate=2026-10-08',
      'Patient?name:exact=Zawadi&identifier=urn:outpost:identifier:clinic-register|RHC-1,RHC-2',
      'Patient?identifier=|no-system&gender=female&_sort=-_lastUpdated,family&_count=25',
      'Immunization?patient=Patient/p-1&_sort=-date&_count=200&_offset=40',
      'Observation?patient=Patient/p-1&code=http://loinc.org|29463-7&date=ge2024-01-01&date=lt2024-07-01T10:00:00Z',
      'Observation?subject=Patient/p-1&date=2024-05',
      'DetectedIssue?implicated=Observation/o-1&_total=accurate',
      'Patient?name=a\\,b&_summary=count',
    ])
    .run(({ assert }, query) => {
      const [type, text] = query.split('?')
      const { parsed, reparsed } = roundTrip(type, text)
      assert.deepEqual(reparsed, parsed)
    })

  test('a day is written as the day', ({ assert }) => {
    const { written } = roundTrip('Patient', 'birthdate=2026-10-08')
    assert.equal(written.get('birthdate'), 'eq2026-10-08')
  })
})
