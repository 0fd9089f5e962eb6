import { test } from '@japa/runner'
import type { Almanac } from 'json-rules-engine'
import { DateTime } from 'luxon'
import type { Evaluation } from '#rules_engine/evaluation'
import { FactRegistry } from '#rules_engine/fact_registry'
import { MemoryFactSource } from '#rules_engine/fact_source'
import type { HistoryDose } from '#rules_engine/facts/history_facts'
import {
  ScheduleTableError,
  scheduleStatusFact,
  type ScheduleOverview,
  type SeriesStatus,
} from '#rules_engine/facts/schedule_facts'
import { PackEngine } from '#rules_engine/pack_engine'
import type { DataRow, RulePack } from '#rules_engine/pack_types'

const CVX = 'http://hl7.org/fhir/sid/cvx'
const BIRTH = '2024-01-01'

/** A series of three doses from 6 weeks, 4 weeks apart, until 5 years. */
function infantSeries(series: string, codes: string[], maxAgeDays = 1825): DataRow[] {
  return [42, 70, 98].map((recommendedAgeDays, index) => ({
    series,
    doseNumber: index + 1,
    vaccineCodes: codes,
    system: CVX,
    minAgeDays: 42,
    recommendedAgeDays,
    maxAgeDays,
    minIntervalDays: index === 0 ? 0 : 28,
  }))
}

const DOSES: DataRow[] = [
  ...infantSeries('penta', ['198', '102']),
  ...infantSeries('rota', ['122', '119', '116'], 730).map((row) =>
    row.doseNumber === 3 ? { ...row, notNeededIfOnlyCodes: ['119'] } : row
  ),
  ...infantSeries('pcv', ['133']).map((row) =>
    row.doseNumber === 1 ? row : { ...row, notNeededIfPreviousAtAgeDays: 730 }
  ),
  { series: 'opv0', doseNumber: 1, vaccineCodes: ['178'], minAgeDays: 0, maxAgeDays: 6 },
  { series: 'hepb', doseNumber: 1, vaccineCodes: ['08'], system: CVX, minAgeDays: 0 },
  {
    series: 'hepb',
    doseNumber: 2,
    vaccineCodes: ['198'],
    system: CVX,
    minAgeDays: 42,
    minIntervalDays: 28,
  },
]

function day(ageDays: number): string {
  return DateTime.fromISO(BIRTH, { zone: 'utc' }).plus({ days: ageDays }).toISODate()!
}

/** A completed dose of `code` at `ageDays`. */
function dose(code: string, ageDays: number): HistoryDose {
  return { date: day(ageDays), codes: [{ system: CVX, code }], status: 'completed' }
}

function packWith(doses: DataRow[]): RulePack {
  return {
    id: 'schedule-test',
    version: '1.0.0',
    kind: 'cds',
    title: 'Schedule test',
    publisher: 'tests',
    status: 'active',
    requires: '>=0.1.0',
    triggers: [{ resourceTypes: ['Patient'], events: ['chart'] }],
    facts: ['scheduleStatus'],
    data: { doses },
    rules: [],
  }
}

/** The fact's value for a patient born on BIRTH with `history`, as of `asOfDay` days of age. */
async function scheduleStatus(
  series: string | undefined,
  history: HistoryDose[],
  asOfDay: number,
  { birthDate = BIRTH as string | null, doses = DOSES } = {}
) {
  const evaluation: Evaluation = {
    pack: packWith(doses),
    event: 'chart',
    resource: { resourceType: 'Patient', id: 'child', ...(birthDate && { birthDate }) },
    asOf: new Date(`${day(asOfDay)}T00:00:00Z`),
    source: new MemoryFactSource([]),
  }
  const facts: Record<string, unknown> = {
    patient: evaluation.resource,
    immunizationHistory: history,
  }
  const almanac = { factValue: async (id: string) => facts[id] } as unknown as Almanac
  const params = series === undefined ? { table: 'doses' } : { table: 'doses', series }
  return scheduleStatusFact.compute(params, evaluation, almanac)
}

const seriesStatus = async (...args: Parameters<typeof scheduleStatus>) =>
  (await scheduleStatus(...args)) as SeriesStatus

test.group('Schedule status fact: which doses count', () => {
  test('a dose given before the minimum age does not count; the next valid dose fills its place', async ({
    assert,
  }) => {
    const penta = await seriesStatus('penta', [dose('198', 21), dose('198', 42)], 60)
    assert.deepInclude(penta.doses[0], { valid: false, problem: 'too-young', doseNumber: 1 })
    assert.deepInclude(penta.doses[1], { valid: true, doseNumber: 1 })
    assert.equal(penta.validDoses, 1)
    assert.include(penta.next!, { doseNumber: 2, earliestDate: day(70), dueDate: day(70) })
  })

  test('a dose given before the minimum interval does not count', async ({ assert }) => {
    const penta = await seriesStatus('penta', [dose('198', 42), dose('198', 56)], 77)
    assert.deepInclude(penta.doses[1], { valid: false, problem: 'interval-too-short' })
    assert.include(penta.next!, { doseNumber: 2, earliestDate: day(70), status: 'due' })
  })

  test('a dose given after the maximum age does not count', async ({ assert }) => {
    const opv0 = await seriesStatus('opv0', [dose('178', 10)], 12)
    assert.deepInclude(opv0.doses[0], { valid: false, problem: 'too-old' })
    assert.equal(opv0.status, 'aged-out')
  })

  test('a vaccine the dose does not accept does not count', async ({ assert }) => {
    const hepb = await seriesStatus('hepb', [dose('198', 42)], 50)
    assert.deepInclude(hepb.doses[0], { valid: false, problem: 'vaccine-not-accepted' })
    assert.equal(hepb.next!.doseNumber, 1)
  })

  test('codes match with or without leading zeros, and other systems do not match', async ({
    assert,
  }) => {
    const other = {
      date: day(0),
      codes: [{ system: 'urn:local', code: '08' }],
      status: 'completed',
    }
    const hepb = await seriesStatus('hepb', [other, dose('8', 1)], 2)
    assert.equal(hepb.validDoses, 1)
    assert.equal(hepb.doses[0].date, day(1))
  })

  test('doses dated after the evaluation date are not counted yet', async ({ assert }) => {
    const penta = await seriesStatus('penta', [dose('198', 42), dose('198', 70)], 60)
    assert.equal(penta.validDoses, 1)
  })
})

test.group('Schedule status fact: the next dose', () => {
  test('the next dose is upcoming, then due, then overdue 4 weeks after its due date', async ({
    assert,
  }) => {
    const penta = await Promise.all([30, 42, 69, 70].map((asOf) => seriesStatus('penta', [], asOf)))
    assert.deepEqual(
      penta.map(({ next }) => next!.status),
      ['upcoming', 'due', 'due', 'overdue']
    )
    assert.deepEqual(penta[0].next, {
      series: 'penta',
      doseNumber: 1,
      vaccineCode: { system: CVX, code: '198' },
      vaccineCodes: ['198', '102'],
      earliestDate: day(42),
      dueDate: day(42),
      overdueDate: day(70),
      latestDate: day(1825),
      status: 'upcoming',
    })
  })

  test('a late starter catches up: the next dose is due at the minimum interval', async ({
    assert,
  }) => {
    const penta = await seriesStatus('penta', [dose('198', 400)], 420)
    assert.include(penta.next!, {
      doseNumber: 2,
      earliestDate: day(428),
      dueDate: day(428),
      overdueDate: day(456),
      status: 'upcoming',
    })
  })

  test('a series past its maximum age is aged out', async ({ assert }) => {
    const rota = await seriesStatus('rota', [], 800)
    assert.equal(rota.status, 'aged-out')
    assert.isFalse(rota.complete)
    assert.include(rota.next!, { doseNumber: 1, latestDate: day(730), status: 'aged-out' })
  })

  test('a dose whose minimum interval ends after the maximum age is aged out already', async ({
    assert,
  }) => {
    const rota = await seriesStatus('rota', [dose('116', 720)], 725)
    assert.include(rota.next!, { doseNumber: 2, earliestDate: day(748), status: 'aged-out' })
  })
})

test.group('Schedule status fact: complete series', () => {
  test('a complete series has no next dose, and a further dose is extra', async ({ assert }) => {
    const history = [42, 70, 98, 130].map((age) => dose('198', age))
    const penta = await seriesStatus('penta', history, 200)
    assert.include(penta, { status: 'complete', complete: true, validDoses: 3, next: null })
    assert.deepInclude(penta.doses[3], { valid: false, problem: 'series-complete', doseNumber: 4 })
  })

  test('two monovalent rotavirus doses complete the series; a mixed series needs a third', async ({
    assert,
  }) => {
    const rotarix = await seriesStatus('rota', [dose('119', 42), dose('119', 70)], 100)
    assert.isTrue(rotarix.complete)
    const mixed = await seriesStatus('rota', [dose('119', 42), dose('116', 70)], 100)
    assert.equal(mixed.next!.doseNumber, 3)
  })

  test('a child who starts PCV after 2 years of age needs a single dose', async ({ assert }) => {
    const startedAt2Years = await seriesStatus('pcv', [dose('133', 760)], 800)
    assert.isTrue(startedAt2Years.complete)
    const startedAt13Months = await seriesStatus('pcv', [dose('133', 400)], 450)
    assert.equal(startedAt13Months.next!.doseNumber, 2)
  })
})

test.group('Schedule status fact: the whole schedule', () => {
  test('without a series, it lists every series, their next doses and the due ones', async ({
    assert,
  }) => {
    const history = [dose('178', 1), dose('08', 1), ...[42, 70, 98].map((age) => dose('198', age))]
    const overview = (await scheduleStatus(undefined, history, 100)) as ScheduleOverview
    assert.deepEqual(
      overview.series.map(({ series, status }) => [series, status]),
      [
        ['penta', 'complete'],
        ['rota', 'overdue'],
        ['pcv', 'overdue'],
        ['opv0', 'complete'],
        ['hepb', 'complete'],
      ]
    )
    assert.deepEqual(
      overview.next.map(({ series, doseNumber }) => [series, doseNumber]),
      [
        ['rota', 1],
        ['pcv', 1],
      ]
    )
    assert.deepEqual(overview.due, overview.next)
  })

  test('a patient without a birth date has no schedule', async ({ assert }) => {
    assert.isNull(await scheduleStatus('penta', [dose('198', 42)], 60, { birthDate: null }))
  })

  test('rules test the schedule through the engine with a path', async ({ assert }) => {
    const pack: RulePack = {
      ...packWith(DOSES),
      rules: [
        {
          name: 'penta-overdue',
          conditions: {
            all: [
              {
                fact: 'scheduleStatus',
                params: { table: 'doses' },
                path: "$.due[?(@.status == 'overdue')].series",
                operator: 'contains',
                value: 'penta',
              },
            ],
          },
          event: { type: 'alert', params: { message: 'Penta is overdue.', acknowledge: false } },
        },
      ],
    }
    const engine = new PackEngine(pack, new FactRegistry())
    const patient = { resourceType: 'Patient', id: 'child', birthDate: BIRTH }
    const evaluate = (asOfDay: number) =>
      engine.evaluate({
        pack,
        event: 'chart',
        resource: patient,
        asOf: new Date(`${day(asOfDay)}T00:00:00Z`),
        source: new MemoryFactSource([patient]),
      })
    assert.lengthOf(await evaluate(60), 0)
    const fired = await evaluate(70)
    assert.deepEqual(
      fired.map((action) => action.rule),
      ['penta-overdue']
    )
  })
})

test.group('Schedule status fact: bad tables', () => {
  test('a series whose doses are not numbered 1 to n is refused', async ({ assert }) => {
    const gap = [{ series: 'x', doseNumber: 2, vaccineCodes: ['1'], minAgeDays: 0 }]
    await assert.rejects(
      () => scheduleStatus('x', [], 10, { doses: gap }),
      /must number its doses 1 to 1/
    )
  })

  test('a row without a minimum age or with an unknown series is refused', async ({ assert }) => {
    const noAge = [{ series: 'x', doseNumber: 1, vaccineCodes: ['1'] }]
    await assert.rejects(
      () => scheduleStatus('x', [], 10, { doses: noAge }),
      /"minAgeDays" must be a whole number of days/
    )
    await assert.rejects(() => scheduleStatus('pent', [], 10), ScheduleTableError)
  })
})
