import { test } from '@japa/runner'
import { ageOf } from '#services/clinic_presenters'

test.group('Ages on the chart', () => {
  const today = '2026-11-26'

  test('a newborn is counted in days, an infant in weeks then months, a child in years', ({
    assert,
  }) => {
    assert.deepEqual(ageOf('2026-11-20', today), { unit: 'days', count: 6 })
    assert.deepEqual(ageOf('2026-10-08', today), { unit: 'weeks', count: 7 })
    assert.deepEqual(ageOf('2025-11-26', today), { unit: 'months', count: 12 })
    assert.deepEqual(ageOf('2020-01-01', today), { unit: 'years', count: 6 })
  })

  test('an estimated birth date gives an approximate age from the middle of the year or month', ({
    assert,
  }) => {
    assert.deepEqual(ageOf('1958', today), { unit: 'years_about', count: 68 })
    assert.deepEqual(ageOf('2025-06', today), { unit: 'months_about', count: 17 })
  })

  test('no age without a birth date, or for a birth date after today', ({ assert }) => {
    assert.isNull(ageOf(null, today))
    assert.isNull(ageOf('2027-01-01', today))
    assert.isNull(ageOf('2027', today))
  })
})
