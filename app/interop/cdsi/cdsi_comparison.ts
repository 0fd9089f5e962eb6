import type { CdsiCase } from '#interop/cdsi/cdsi_case'

/** What the rule pack answered for a case, read back from its FHIR outputs. */
export interface CaseAnswer {
  /** By dose (in the case's order): valid, or not valid, or null when nothing evaluated it. */
  doses: Array<'valid' | 'notvalid' | null>
  /** The group's next dose, or null when nothing is proposed (complete, aged out). */
  forecast: { earliestDate?: string; recommendedDate?: string; pastDueDate?: string } | null
}

export interface CaseComparison {
  passed: boolean
  /** One line per difference: what was expected, what came out. */
  differences: string[]
}

/**
 * Compares the pack's answer with the CDC's expectation: each dose valid or
 * not (an extraneous dose does not count, so it is expected not valid), and
 * the earliest, recommended and past due dates of the vaccine group's next
 * dose, or no dose at all when the CSV gives no earliest date.
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export function compareCase(testCase: CdsiCase, answer: CaseAnswer): CaseComparison {
  const differences: string[] = []
  testCase.doses.forEach((dose, index) => {
    const expected = dose.status === 'Valid' ? 'valid' : 'notvalid'
    const actual = answer.doses[index] ?? null
    if (actual !== expected) {
      const why = dose.reason ? ` (${dose.reason})` : ''
      differences.push(
        `dose ${index + 1} (${dose.date}, CVX ${dose.cvx}): expected ${expected}${why}, got ${actual ?? 'no evaluation'}`
      )
    }
  })
  if (testCase.earliestDate === undefined) {
    if (answer.forecast !== null) {
      differences.push(
        `forecast: expected none (${testCase.seriesStatus || testCase.forecastTestType}), got ${describe(answer.forecast)}`
      )
    }
  } else {
    const expected = {
      earliestDate: testCase.earliestDate,
      recommendedDate: testCase.recommendedDate,
      pastDueDate: testCase.pastDueDate,
    }
    const actual = answer.forecast
    if (
      actual === null ||
      actual.earliestDate !== expected.earliestDate ||
      actual.recommendedDate !== expected.recommendedDate ||
      actual.pastDueDate !== expected.pastDueDate
    ) {
      differences.push(
        `forecast: expected ${describe(expected)}, got ${actual ? describe(actual) : 'none'}`
      )
    }
  }
  return { passed: differences.length === 0, differences }
}

function describe(forecast: NonNullable<CaseAnswer['forecast']>) {
  return `earliest ${forecast.earliestDate ?? '-'}, recommended ${forecast.recommendedDate ?? '-'}, past due ${forecast.pastDueDate ?? '-'}`
}
