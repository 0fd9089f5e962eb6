import { immunizationEvaluations } from '#rules_engine/actions/evaluation'
import { immunizationRecommendation } from '#rules_engine/actions/recommendation'
import type { FactRegistry } from '#rules_engine/fact_registry'
import { MemoryFactSource } from '#rules_engine/fact_source'
import { startOfLocalDay } from '#rules_engine/facts/clinical_dates'
import { PackEngine } from '#rules_engine/pack_engine'
import type { RulePack } from '#rules_engine/pack_types'
import { caseResources, type CdsiCase } from '#interop/cdsi/cdsi_case'
import { compareCase, type CaseAnswer, type CaseComparison } from '#interop/cdsi/cdsi_comparison'

/**
 * The CSV's vaccine groups that the ACIP pack forecasts: the pack's vaccine
 * group (its `vaccineGroups` table) and the `series` its proposals carry.
 */
export const CSV_VACCINE_GROUPS: Record<string, { vaccineGroup: string; series: string }> = {
  'DTAP': { vaccineGroup: 'DTaP/Tdap/Td', series: 'dtap' },
  'HepB': { vaccineGroup: 'HepB', series: 'hepb' },
  'HIB': { vaccineGroup: 'Hib', series: 'hib' },
  'POL': { vaccineGroup: 'Polio', series: 'polio' },
  'MMR': { vaccineGroup: 'MMR', series: 'mmr' },
  'PCV': { vaccineGroup: 'Pneumococcal', series: 'pcv' },
  'VAR': { vaccineGroup: 'Varicella', series: 'varicella' },
  'HepA': { vaccineGroup: 'HepA', series: 'hepa' },
  'ROTA': { vaccineGroup: 'Rotavirus', series: 'rotavirus' },
  'HPV': { vaccineGroup: 'HPV', series: 'hpv' },
  'MCV': { vaccineGroup: 'Meningococcal', series: 'meningococcal' },
  'ZOSTER': { vaccineGroup: 'Zoster', series: 'zoster' },
  'FLU': { vaccineGroup: 'Influenza', series: 'influenza' },
  'COVID-19': { vaccineGroup: 'COVID-19', series: 'covid-19' },
}

const LOINC_DATES = {
  '30981-5': 'earliestDate',
  '30980-7': 'recommendedDate',
  '59778-1': 'pastDueDate',
} as const

export interface CaseResult extends CaseComparison {
  testCase: CdsiCase
  answer: CaseAnswer
  /** The resources the pack produced for the case. */
  outputs: Record<string, any>[]
}

/**
 * Runs CDSi test cases through a rule pack exactly as a node would run it on
 * a chart: the case becomes a Patient and Immunizations, the pack is
 * evaluated as of the case's assessment date, and its ImmunizationEvaluation
 * and ImmunizationRecommendation outputs are compared with the expectations.
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export class CdsiRunner {
  #engine: PackEngine

  constructor(
    readonly pack: RulePack,
    facts: FactRegistry
  ) {
    this.#engine = new PackEngine(pack, facts)
  }

  async run(testCase: CdsiCase): Promise<CaseResult> {
    const { patient, immunizations } = caseResources(testCase)
    const fired = await this.#engine.evaluate({
      pack: this.pack,
      event: 'chart',
      resource: patient,
      asOf: startOfLocalDay(testCase.assessmentDate),
      source: new MemoryFactSource([patient, ...immunizations]),
    })
    const today = testCase.assessmentDate
    const evaluations = fired
      .filter((action) => action.type === 'evaluate')
      .flatMap((action) => immunizationEvaluations(action, patient.id, today))
    const proposals = fired.filter((action) => action.type === 'propose')
    const recommendation = immunizationRecommendation(
      this.#engine.key,
      patient.id,
      proposals,
      today
    )
    const answer = this.#answer(testCase, immunizations, evaluations, recommendation)
    return {
      testCase,
      answer,
      outputs: [recommendation, ...evaluations],
      ...compareCase(testCase, answer),
    }
  }

  #answer(
    testCase: CdsiCase,
    immunizations: Array<{ id: string }>,
    evaluations: Record<string, any>[],
    recommendation: Record<string, any>
  ): CaseAnswer {
    const mapped = CSV_VACCINE_GROUPS[testCase.vaccineGroup]
    const groupRows = (this.pack.data?.vaccineGroups ?? []) as Array<Record<string, any>>
    const antigens = new Set<string>(
      groupRows.find((row) => row.name === mapped?.vaccineGroup)?.antigens ?? []
    )
    const doses = immunizations.map(({ id }) => {
      const mine = evaluations.filter(
        (evaluation) => evaluation.immunizationEvent.reference === `Immunization/${id}`
      )
      const inGroup = mine.filter((evaluation) => antigens.has(evaluation.targetDisease.text))
      const counted = inGroup.length > 0 ? inGroup : mine
      if (counted.length === 0) {
        return null
      }
      return counted.every((evaluation) => evaluation.doseStatus.coding[0].code === 'valid')
        ? ('valid' as const)
        : ('notvalid' as const)
    })
    const entry = mapped
      ? (recommendation.recommendation as Array<Record<string, any>>).find(
          (candidate) => candidate.series === mapped.series
        )
      : undefined
    const forecast: CaseAnswer['forecast'] = entry ? {} : null
    for (const criterion of entry?.dateCriterion ?? []) {
      const field = LOINC_DATES[criterion.code.coding[0].code as keyof typeof LOINC_DATES]
      if (field && forecast) {
        forecast[field] = criterion.value
      }
    }
    return { doses, forecast }
  }
}

export interface GroupSummary {
  vaccineGroup: string
  cases: number
  passed: number
}

/** Cases and passes per CSV vaccine group, in the order the groups first appear. */
export function summarise(results: CaseResult[]): GroupSummary[] {
  const groups = new Map<string, GroupSummary>()
  for (const result of results) {
    const name = result.testCase.vaccineGroup
    const summary = groups.get(name) ?? { vaccineGroup: name, cases: 0, passed: 0 }
    summary.cases++
    summary.passed += result.passed ? 1 : 0
    groups.set(name, summary)
  }
  return [...groups.values()]
}
