import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { CsvError, parseCsv, readCsvObjects } from '#interop/cdsi/csv_reader'
import { caseResources, readCdsiCases, type CdsiCase } from '#interop/cdsi/cdsi_case'
import { compareCase } from '#interop/cdsi/cdsi_comparison'
import { CdsiRunner, summarise } from '#interop/cdsi/cdsi_runner'
import { FactRegistry } from '#rules_engine/fact_registry'
import { platformPackLoader } from '#rules_engine/platform'

const SUBSET = 'tests/fixtures/cdsi/cdsi-test-cases-v4.8-subset.csv'
const PACK = 'protocols/acip-childhood-immunization/pack.json'

function aCase(overrides: Partial<CdsiCase> = {}): CdsiCase {
  return {
    id: '2099-0001',
    name: 'example',
    birthDate: '2021-01-01',
    gender: 'F',
    doses: [
      { date: '2021-02-15', vaccineName: 'DTaP', cvx: '107', status: 'Valid' },
      {
        date: '2021-03-01',
        vaccineName: 'DTaP',
        cvx: '107',
        status: 'Not Valid',
        reason: 'Interval: too short',
      },
    ],
    vaccineGroup: 'DTAP',
    assessmentDate: '2021-03-01',
    seriesStatus: 'Not complete',
    earliestDate: '2021-03-29',
    recommendedDate: '2021-05-01',
    pastDueDate: '2021-06-28',
    evaluationTestType: '',
    forecastTestType: '',
    ...overrides,
  }
}

test.group('CDSi harness: reading the CSV', () => {
  test('quoted fields keep their commas, doubled quotes and line breaks', ({ assert }) => {
    const records = parseCsv('a,b,c\r\n"x, y","say ""hi""","two\nlines"\n1,,3')
    assert.deepEqual(records, [
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['1', '', '3'],
    ])
  })

  test('an unclosed quote or a record of the wrong width is refused with its place', ({
    assert,
  }) => {
    assert.throws(() => parseCsv('a,b\n"open,1\n'), /line 2: a quoted field is not closed/)
    assert.throws(() => readCsvObjects('a,b\n1,2,3\n'), /record 1 has 3 fields, the header 2/)
    assert.throws(() => readCdsiCases('CDC_Test_ID,DOB\n2099-1,1/2/20\n'), CsvError)
  })

  test('the fixture subset reads as cases with MM/DD/YYYY dates as ISO dates', async ({
    assert,
  }) => {
    const cases = readCdsiCases(await readFile(SUBSET, 'utf8'))
    assert.lengthOf(cases, 169)
    const newborn = cases.find((testCase) => testCase.id === '2013-0001')!
    assert.equal(newborn.birthDate, '2021-05-10')
    assert.deepEqual(newborn.doses, [])
    assert.equal(newborn.earliestDate, '2021-06-21')
    assert.equal(newborn.pastDueDate, '2021-09-06')
    assert.isTrue(cases.some((testCase) => testCase.doses.length >= 4))
  })

  test('a case becomes a Patient and CVX-coded completed Immunizations', ({ assert }) => {
    const { patient, immunizations } = caseResources(aCase())
    assert.deepInclude(patient, {
      resourceType: 'Patient',
      birthDate: '2021-01-01',
      gender: 'female',
    })
    assert.lengthOf(immunizations, 2)
    assert.deepInclude(immunizations[1], {
      status: 'completed',
      occurrenceDateTime: '2021-03-01',
      patient: { reference: `Patient/${patient.id}` },
    })
    assert.equal(immunizations[1].vaccineCode.coding[0].system, 'http://hl7.org/fhir/sid/cvx')
  })
})

test.group('CDSi harness: comparing answers', () => {
  test('a case passes only when every dose and the three forecast dates match', ({ assert }) => {
    const testCase = aCase()
    const right = {
      doses: ['valid', 'notvalid'] as const,
      forecast: {
        earliestDate: '2021-03-29',
        recommendedDate: '2021-05-01',
        pastDueDate: '2021-06-28',
      },
    }
    assert.isTrue(compareCase(testCase, { ...right, doses: [...right.doses] }).passed)
    const wrongDose = compareCase(testCase, { ...right, doses: ['valid', 'valid'] })
    assert.isFalse(wrongDose.passed)
    assert.match(
      wrongDose.differences[0],
      /dose 2 .*expected notvalid \(Interval: too short\), got valid/
    )
    const wrongDate = compareCase(testCase, {
      doses: [...right.doses],
      forecast: { ...right.forecast, pastDueDate: '2021-06-29' },
    })
    assert.isFalse(wrongDate.passed)
    assert.match(
      wrongDate.differences[0],
      /^forecast: expected .*past due 2021-06-28, got .*2021-06-29/
    )
  })

  test('a complete series expects no proposal, and an extraneous dose counts as not valid', ({
    assert,
  }) => {
    const testCase = aCase({
      doses: [{ date: '2021-02-15', vaccineName: 'DTaP', cvx: '107', status: 'Extraneous' }],
      earliestDate: undefined,
      recommendedDate: undefined,
      pastDueDate: undefined,
      seriesStatus: 'Complete',
    })
    assert.isTrue(compareCase(testCase, { doses: ['notvalid'], forecast: null }).passed)
    const proposed = compareCase(testCase, {
      doses: ['notvalid'],
      forecast: { earliestDate: '2021-03-01', recommendedDate: '2021-03-01' },
    })
    assert.match(proposed.differences[0], /^forecast: expected none \(Complete\)/)
  })
})

test.group('CDSi harness: running the ACIP pack', (group) => {
  let runner: CdsiRunner
  group.setup(async () => {
    const facts = new FactRegistry()
    runner = new CdsiRunner(await platformPackLoader(facts).loadFile(PACK), facts)
  })

  test('the pack answers with ImmunizationEvaluation and ImmunizationRecommendation resources', async ({
    assert,
  }) => {
    const result = await runner.run(aCase())
    const types = result.outputs.map((resource) => resource.resourceType)
    assert.include(types, 'ImmunizationRecommendation')
    assert.include(types, 'ImmunizationEvaluation')
    const evaluation = result.outputs.find(
      (resource) =>
        resource.resourceType === 'ImmunizationEvaluation' &&
        resource.targetDisease.text === 'Pertussis' &&
        resource.immunizationEvent.reference.endsWith('-2')
    )!
    assert.equal(evaluation.doseStatus.coding[0].code, 'notvalid')
    assert.includeMembers(
      evaluation.doseStatusReason.map((reason: { text: string }) => reason.text),
      ['Age: Too Young', 'Interval: too short']
    )
    assert.match(
      evaluation.identifier[0].value,
      /^acip-childhood-immunization@1\.0\.0#dtap-dose-evaluations$/
    )
    assert.deepEqual(result.answer.doses, ['valid', 'notvalid'])
  })

  test('the fixture subset passes at 90% or more, and the summary counts every case', async ({
    assert,
  }) => {
    const cases = readCdsiCases(await readFile(SUBSET, 'utf8'))
    const results = []
    for (const testCase of cases) {
      results.push(await runner.run(testCase))
    }
    const summary = summarise(results)
    assert.includeMembers(
      summary.map((row) => row.vaccineGroup),
      ['DTAP', 'HepB', 'HIB', 'POL', 'MMR', 'PCV', 'VAR', 'FLU', 'COVID-19']
    )
    assert.equal(
      summary.reduce((sum, row) => sum + row.cases, 0),
      cases.length
    )
    const passed = results.filter((result) => result.passed).length
    assert.isAtLeast(passed / cases.length, 0.9)
  })
})
