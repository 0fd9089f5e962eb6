import { isDeepStrictEqual } from 'node:util'
import { MemoryFactSource } from '#rules_engine/fact_source'
import type { FactRegistry } from '#rules_engine/fact_registry'
import { PackEngine, type FiredAction } from '#rules_engine/pack_engine'
import type { ExpectedAction, PackTest, RulePack } from '#rules_engine/pack_types'
import { startOfLocalDay } from '#rules_engine/facts/clinical_dates'

export interface PackTestResult {
  name: string
  passed: boolean
  /** Why it failed, one sentence per unmet expectation or error. */
  failures: string[]
  fired: FiredAction[]
}

/**
 * Runs a pack's own tests (docs/rule-packs.md, "Tests"): each case is
 * evaluated with the pack's engine on the resources it gives, never on
 * stored data, and compared with what it expects.
 */
export async function runPackTests(
  pack: RulePack,
  facts: FactRegistry,
  today = new Date()
): Promise<PackTestResult[]> {
  const engine = new PackEngine(pack, facts)
  const results: PackTestResult[] = []
  for (const testCase of pack.tests ?? []) {
    results.push(await runCase(engine, pack, testCase, today))
  }
  return results
}

async function runCase(
  engine: PackEngine,
  pack: RulePack,
  testCase: PackTest,
  today: Date
): Promise<PackTestResult> {
  const { given } = testCase
  const stored = (given.resources ?? []) as Record<string, any>[]
  const resource = (given.resource ??
    stored[0] ?? { resourceType: pack.triggers[0].resourceTypes[0] }) as Record<string, any>
  try {
    const fired = await engine.evaluate(
      {
        pack,
        event: pack.triggers[0].events[0],
        resource,
        asOf: given.asOf ? startOfLocalDay(given.asOf) : today,
        source: new MemoryFactSource(given.resource ? [...stored, resource] : stored),
      },
      given.facts ?? {}
    )
    const failures = unmet(testCase, fired)
    return { name: testCase.name, passed: failures.length === 0, failures, fired }
  } catch (error) {
    return {
      name: testCase.name,
      passed: false,
      failures: [`the evaluation failed: ${error.message}`],
      fired: [],
    }
  }
}

function unmet(testCase: PackTest, fired: FiredAction[]): string[] {
  if (testCase.expect.none) {
    return fired.map((action) => `expected no action, but ${describe(action)} fired`)
  }
  return (testCase.expect.actions ?? [])
    .filter((expected) => !fired.some((action) => satisfies(action, expected)))
    .map(
      (expected) =>
        `expected ${expected.type}${expected.rule ? ` from ${expected.rule}` : ''}${
          expected.params ? ` with ${JSON.stringify(expected.params)}` : ''
        }, but ${fired.length === 0 ? 'nothing fired' : `fired: ${fired.map(describe).join('; ')}`}`
    )
}

function satisfies(action: FiredAction, expected: ExpectedAction) {
  return (
    action.type === expected.type &&
    (expected.rule === undefined || action.rule === expected.rule) &&
    Object.entries(expected.params ?? {}).every(([key, value]) =>
      isDeepStrictEqual(action.params[key], value)
    )
  )
}

function describe(action: FiredAction) {
  return `${action.type} from ${action.rule} ${JSON.stringify(action.params)}`
}
