import { test } from '@japa/runner'
import { Settings } from 'luxon'
import { calendarDay, clinicalDate, parseFhirDate } from '#rules_engine/facts/clinical_dates'

test.group('Clinical dates', (group) => {
  const systemZone = Settings.defaultZone
  group.each.teardown(() => {
    Settings.defaultZone = systemZone
  })

  test("today is the node's own calendar day, not UTC's", ({ assert }) => {
    const justAfterMidnightInNairobi = new Date('2026-03-14T22:30:00Z')
    Settings.defaultZone = 'Africa/Nairobi'
    assert.equal(calendarDay(justAfterMidnightInNairobi).toISODate(), '2026-03-15')
    Settings.defaultZone = 'UTC'
    assert.equal(calendarDay(justAfterMidnightInNairobi).toISODate(), '2026-03-14')
  })

  test('a record is dated by what it is about, partial dates by their first day', ({ assert }) => {
    const fallback = new Date('2026-01-01T12:00:00Z')
    assert.equal(
      clinicalDate({ occurrenceDateTime: '2025-11-03T09:00:00+03:00' }, fallback).toISODate(),
      '2025-11-03'
    )
    assert.equal(
      clinicalDate({ effectivePeriod: { start: '2025-10' } }, fallback).toISODate(),
      '2025-10-01'
    )
    assert.equal(clinicalDate({}, fallback).toISODate(), '2026-01-01')
    assert.isUndefined(parseFhirDate('not a date'))
  })
})
