import { test } from '@japa/runner'
import { addDuration, parseDuration } from '#rules_engine/cdsi/cdsi_dates'
import type { AdministeredDose } from '#rules_engine/cdsi/antigen_doses'
import {
  supportingData,
  SupportingDataError,
  type SupportingData,
} from '#rules_engine/cdsi/supporting_data'
import { assessVaccineGroup } from '#rules_engine/cdsi/vaccine_group'
import { platformPackLoader } from '#rules_engine/platform'

const PACK = 'protocols/acip-childhood-immunization/pack.json'

function doses(...given: Array<[string, string]>): AdministeredDose[] {
  return given.map(([date, cvx], index) => ({ id: `dose-${index + 1}`, date, cvx }))
}

test.group('CDSi dates', () => {
  test('durations add part by part, months by the calendar', ({ assert }) => {
    assert.deepEqual(parseDuration('12 months - 4 days'), [
      { sign: 1, amount: 12, unit: 'months' },
      { sign: -1, amount: 4, unit: 'days' },
    ])
    assert.equal(addDuration('2021-01-01', '6 weeks - 4 days'), '2021-02-08')
    assert.equal(addDuration('2020-04-12', '4 years + 4 weeks'), '2024-05-10')
  })

  test('a month end that the target month lacks moves to the first of the next month', ({
    assert,
  }) => {
    assert.equal(addDuration('2021-01-31', '1 month'), '2021-03-01')
    assert.equal(addDuration('2020-02-29', '1 year'), '2021-03-01')
    assert.equal(addDuration('2021-08-31', '2 months'), '2021-10-31')
  })

  test('text that is not a duration is refused', ({ assert }) => {
    assert.throws(() => parseDuration('soon'), /is not a duration/)
    assert.throws(() => parseDuration('6 weeks and a bit'), /is not a duration/)
  })
})

test.group('CDSi evaluation and forecast on the ACIP data', (group) => {
  let data: SupportingData
  group.setup(async () => {
    const pack = await platformPackLoader().loadFile(PACK)
    data = supportingData(pack.data)
  })

  test('a newborn is forecast DTaP from 6 weeks, due at 2 months, past due after 3 months + 4 weeks', ({
    assert,
  }) => {
    const result = assessVaccineGroup(
      'DTaP/Tdap/Td',
      { birthDate: '2021-05-10' },
      [],
      '2021-05-10',
      data
    )!
    assert.equal(result.status, 'not-complete')
    assert.equal(result.doseNumber, 1)
    assert.equal(result.earliestDate, '2021-06-21')
    assert.equal(result.recommendedDate, '2021-07-10')
    assert.equal(result.pastDueDate, '2021-09-06')
  })

  test('a dose five days before the minimum age is too young; four days before is valid (grace period)', ({
    assert,
  }) => {
    const birth = '2021-03-01'
    const tooEarly = assessVaccineGroup(
      'Polio',
      { birthDate: birth },
      doses(['2021-04-07', '10']),
      '2021-05-01',
      data
    )!
    assert.equal(tooEarly.doses[0].status, 'not-valid')
    assert.include(tooEarly.doses[0].reasons, 'Age: Too Young')
    const inGrace = assessVaccineGroup(
      'Polio',
      { birthDate: birth },
      doses(['2021-04-08', '10']),
      '2021-05-01',
      data
    )!
    assert.equal(inGrace.doses[0].status, 'valid')
    assert.equal(inGrace.doseNumber, 2)
  })

  test('a live vaccine 24 days after another is not valid, and the next one waits 28 days', ({
    assert,
  }) => {
    const result = assessVaccineGroup(
      'Varicella',
      { birthDate: '2020-04-13' },
      doses(['2021-04-13', '03'], ['2021-05-10', '21']),
      '2021-05-10',
      data
    )!
    assert.equal(result.doses[0].status, 'not-valid')
    assert.include(result.doses[0].reasons, 'Live Virus Conflict')
    assert.equal(result.earliestDate, '2021-06-07')
  })

  test('an inadvertent vaccine does not count: Td to an infant', ({ assert }) => {
    const result = assessVaccineGroup(
      'DTaP/Tdap/Td',
      { birthDate: '2021-01-01' },
      doses(['2021-03-01', '09']),
      '2021-03-02',
      data
    )!
    assert.equal(result.doses[0].status, 'not-valid')
    assert.include(result.doses[0].reasons, 'Inadvertent Vaccine')
    assert.equal(result.doseNumber, 1)
  })

  test('Hib started at 15 months needs one dose: the series is complete', ({ assert }) => {
    const result = assessVaccineGroup(
      'Hib',
      { birthDate: '2020-01-01' },
      doses(['2021-04-01', '48']),
      '2021-06-01',
      data
    )!
    assert.equal(result.doses[0].status, 'valid')
    assert.equal(result.status, 'complete')
    assert.isNull(result.earliestDate)
  })

  test('a fourth HepB dose after a complete three-dose series is extraneous', ({ assert }) => {
    const result = assessVaccineGroup(
      'HepB',
      { birthDate: '2020-01-01' },
      doses(
        ['2020-01-01', '08'],
        ['2020-03-01', '110'],
        ['2020-07-01', '110'],
        ['2020-09-01', '110']
      ),
      '2021-01-01',
      data
    )!
    assert.equal(result.status, 'complete')
    assert.deepEqual(
      result.doses.map((dose) => dose.status),
      ['valid', 'valid', 'valid', 'extraneous']
    )
  })

  test('born before 1957 is evidence of immunity to measles, mumps and rubella', ({ assert }) => {
    const result = assessVaccineGroup('MMR', { birthDate: '1956-06-12' }, [], '2021-05-10', data)!
    assert.equal(result.status, 'immune')
    assert.isNull(result.earliestDate)
    const later = assessVaccineGroup('MMR', { birthDate: '1957-01-01' }, [], '2021-05-10', data)!
    assert.equal(later.status, 'not-complete')
  })

  test('varicella immunity by birth before 1980 needs a recorded birth in the U.S.', ({
    assert,
  }) => {
    const unknown = assessVaccineGroup(
      'Varicella',
      { birthDate: '1975-01-01' },
      [],
      '2021-05-10',
      data
    )!
    assert.equal(unknown.status, 'not-complete')
    const american = assessVaccineGroup(
      'Varicella',
      { birthDate: '1975-01-01', birthCountry: 'US' },
      [],
      '2021-05-10',
      data
    )!
    assert.equal(american.status, 'immune')
  })

  test('a 65-year-old with no pneumococcal dose is forecast the adult series, not an aged-out childhood one', ({
    assert,
  }) => {
    const result = assessVaccineGroup(
      'Pneumococcal',
      { birthDate: '1956-05-10' },
      [],
      '2021-05-10',
      data
    )!
    assert.equal(result.status, 'not-complete')
    assert.equal(result.earliestDate, '2021-05-10')
    const child = assessVaccineGroup(
      'Pneumococcal',
      { birthDate: '2021-01-01' },
      [],
      '2021-05-10',
      data
    )!
    assert.equal(child.earliestDate, '2021-02-12')
  })

  test('influenza is not forecast before the season starts, and one dose from 9 years completes the season', ({
    assert,
  }) => {
    const child = assessVaccineGroup(
      'Influenza',
      { birthDate: '2019-05-01' },
      doses(['2019-12-01', '88'], ['2019-12-29', '88']),
      '2019-12-29',
      data
    )!
    assert.deepEqual(
      child.doses.map((dose) => dose.status),
      ['valid', 'valid']
    )
    assert.equal(child.earliestDate, '2020-07-01')
    const older = assessVaccineGroup(
      'Influenza',
      { birthDate: '2011-08-10' },
      doses(['2020-09-10', '88']),
      '2020-09-10',
      data
    )!
    assert.equal(older.status, 'complete')
  })

  test('an unknown vaccine group is no answer, and missing tables are refused', ({ assert }) => {
    assert.isNull(
      assessVaccineGroup('Smallpox', { birthDate: '2020-01-01' }, [], '2021-01-01', data)
    )
    assert.throws(() => supportingData({}), SupportingDataError)
  })
})
