import { test } from '@japa/runner'
import { MemoryFactSource } from '#rules_engine/fact_source'
import { FactRegistry } from '#rules_engine/fact_registry'
import { defineFact } from '#rules_engine/fact_provider'
import { FACT_PROVIDERS } from '#rules_engine/fact_registry'
import { PackEngine } from '#rules_engine/pack_engine'
import type { RulePack } from '#rules_engine/pack_types'

/** A fact whose answer takes as long as the resource says. */
const slowFact = defineFact({
  id: 'slowValue',
  description: 'waits resource.delayMs, then answers 1',
  compute: async (_params, { resource }) => {
    await new Promise((resolve) => setTimeout(resolve, resource.delayMs))
    return 1
  },
})

const pack: RulePack = {
  id: 'two-priorities',
  version: '1.0.0',
  kind: 'dq',
  title: 'Two priority levels',
  publisher: 'tests',
  status: 'active',
  requires: '>=0.1.0',
  triggers: [{ resourceTypes: ['Observation'], events: ['beforeSave'] }],
  facts: ['slowValue'],
  rules: ['high', 'low'].map((name, index) => ({
    name,
    priority: 10 - index * 9,
    conditions: { all: [{ fact: 'slowValue', operator: 'equal', value: 1 }] },
    event: {
      type: 'issue' as const,
      params: { severity: 'warning' as const, code: name, message: name },
    },
  })),
}

test.group('Rule pack engine', () => {
  test('concurrent evaluations on one cached engine each run every rule', async ({ assert }) => {
    const engine = new PackEngine(pack, new FactRegistry([...FACT_PROVIDERS, slowFact]))
    const evaluate = (delayMs: number) =>
      engine.evaluate({
        pack,
        event: 'beforeSave',
        resource: { resourceType: 'Observation', delayMs },
        asOf: new Date(),
        source: new MemoryFactSource([]),
      })
    const [slow, fast] = await Promise.all([evaluate(80), evaluate(1)])
    assert.deepEqual(
      slow.map((action) => action.rule),
      ['high', 'low']
    )
    assert.deepEqual(
      fast.map((action) => action.rule),
      ['high', 'low']
    )
  })

  test('every fired action names its pack version and rule', async ({ assert }) => {
    const engine = new PackEngine(pack, new FactRegistry([...FACT_PROVIDERS, slowFact]))
    const [first] = await engine.evaluate({
      pack,
      event: 'beforeSave',
      resource: { resourceType: 'Observation', delayMs: 0 },
      asOf: new Date(),
      source: new MemoryFactSource([]),
    })
    assert.deepEqual(first, {
      pack: 'two-priorities@1.0.0',
      rule: 'high',
      type: 'issue',
      params: { severity: 'warning', code: 'high', message: 'high' },
    })
  })
})
