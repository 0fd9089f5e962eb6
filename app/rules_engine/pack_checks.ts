import { pointer, type PackErrorCode, type PackProblem } from '#rules_engine/pack_errors'
import type {
  FactParams,
  FactRef,
  PackAction,
  PackCondition,
  PackTest,
  RulePack,
} from '#rules_engine/pack_types'

/** What the platform provides: fact provider ids, operators and operator decorators. */
export interface PackVocabulary {
  facts: ReadonlySet<string>
  operators: ReadonlySet<string>
  decorators: ReadonlySet<string>
}

/** Actions that change or stop a write, so they need a `beforeSave` trigger. */
const WRITE_ACTIONS: ReadonlySet<PackAction['type']> = new Set(['reject', 'assign'])

/**
 * The checks a schema cannot express, on a document that already matches the schema:
 * facts, operators, tables and shared conditions exist; names are unique; actions fit the
 * triggers; tests name real rules. Walks conditions with an explicit stack, not recursion.
 * @see https://github.com/CacheControl/json-rules-engine/blob/master/docs/rules.md
 */
export function checkPack(pack: RulePack, vocabulary: PackVocabulary): PackProblem[] {
  return new PackChecks(pack, vocabulary).run()
}

class PackChecks {
  readonly #problems: PackProblem[] = []
  readonly #declared: ReadonlySet<string>
  readonly #tables: Record<string, unknown>
  readonly #shared: Record<string, unknown>

  constructor(
    readonly pack: RulePack,
    readonly vocabulary: PackVocabulary
  ) {
    this.#declared = new Set(pack.facts)
    this.#tables = pack.data ?? {}
    this.#shared = pack.sharedConditions ?? {}
  }

  run(): PackProblem[] {
    this.pack.facts.forEach((fact, index) => {
      if (!this.vocabulary.facts.has(fact)) {
        this.#report('E_PACK_UNKNOWN_FACT', `/facts/${index}`, `the platform has no fact "${fact}"`)
      }
    })
    this.#checkSharedConditions()
    this.#checkRules()
    this.#checkTests()
    return this.#problems
  }

  #report(code: PackErrorCode, path: string, message: string): void {
    this.#problems.push({ code, path, message })
  }

  /** Walks one condition tree; returns the names of the shared conditions it references. */
  #walk(root: PackCondition, rootPath: string): Set<string> {
    const references = new Set<string>()
    const stack: Array<[PackCondition, string]> = [[root, rootPath]]
    for (let next = stack.pop(); next; next = stack.pop()) {
      const [condition, path] = next
      if ('all' in condition || 'any' in condition) {
        const key = 'all' in condition ? 'all' : 'any'
        const children = 'all' in condition ? condition.all : condition.any
        // Pushed last-first so problems come out in document order.
        for (let i = children.length - 1; i >= 0; i--) {
          stack.push([children[i], pointer(pointer(path, key), i)])
        }
      } else if ('not' in condition) {
        stack.push([condition.not, pointer(path, 'not')])
      } else if ('condition' in condition) {
        references.add(condition.condition)
        if (!Object.hasOwn(this.#shared, condition.condition)) {
          this.#report(
            'E_PACK_UNKNOWN_CONDITION',
            pointer(path, 'condition'),
            `no shared condition "${condition.condition}" in "sharedConditions"`
          )
        }
      } else {
        this.#checkFactUse(condition.fact, condition.params, path)
        this.#checkOperator(condition.operator, pointer(path, 'operator'))
        if (isFactRef(condition.value)) {
          this.#checkFactRef(condition.value, pointer(path, 'value'))
        }
      }
    }
    return references
  }

  #checkFactRef(ref: FactRef, path: string): void {
    this.#checkFactUse(ref.fact, ref.params, path)
  }

  /** `path` is the object holding `fact` and `params`. */
  #checkFactUse(fact: string, params: FactParams | undefined, path: string): void {
    if (!this.#declared.has(fact)) {
      const unknown = this.vocabulary.facts.has(fact) ? '' : '; the platform has no such fact'
      this.#report(
        'E_PACK_UNKNOWN_FACT',
        pointer(path, 'fact'),
        `fact "${fact}" is not declared in "facts"${unknown}`
      )
    }
    if (params?.table !== undefined) {
      this.#checkTable(params.table, pointer(pointer(path, 'params'), 'table'))
    }
  }

  #checkTable(table: string, path: string): void {
    if (!Object.hasOwn(this.#tables, table)) {
      const known = Object.keys(this.#tables)
      const hint = known.length > 0 ? ` (tables: ${known.join(', ')})` : ''
      this.#report('E_PACK_MISSING_DATA', path, `no table "${table}" in "data"${hint}`)
    }
  }

  /**
   * json-rules-engine reads "someFact:not:equal" as decorators applied to an operator.
   * @see https://github.com/CacheControl/json-rules-engine/blob/master/docs/engine.md#operator-decorators
   */
  #checkOperator(name: string, path: string): void {
    let rest = name
    while (!this.vocabulary.operators.has(rest)) {
      const colon = rest.indexOf(':')
      if (colon <= 0 || !this.vocabulary.decorators.has(rest.slice(0, colon))) {
        const known = [...this.vocabulary.operators].join(', ')
        this.#report(
          'E_PACK_UNKNOWN_OPERATOR',
          path,
          `unknown operator "${name}" (known: ${known})`
        )
        return
      }
      rest = rest.slice(colon + 1)
    }
  }

  #checkSharedConditions(): void {
    const graph = new Map<string, Set<string>>()
    for (const [name, condition] of Object.entries(this.pack.sharedConditions ?? {})) {
      graph.set(name, this.#walk(condition, pointer('/sharedConditions', name)))
    }
    for (const cycle of findCycles(graph)) {
      this.#report(
        'E_PACK_CONDITION_CYCLE',
        pointer('/sharedConditions', cycle[0]),
        `shared conditions reference each other in a cycle: ${cycle.join(' -> ')}`
      )
    }
  }

  #checkRules(): void {
    const triggered = new Set(this.pack.triggers.flatMap((t) => t.resourceTypes))
    const beforeSave = this.pack.triggers.some((t) => t.events.includes('beforeSave'))
    const names = new Map<string, number>()
    this.pack.rules.forEach((rule, index) => {
      const at = `/rules/${index}`
      const first = names.get(rule.name)
      if (first === undefined) {
        names.set(rule.name, index)
      } else {
        this.#report(
          'E_PACK_DUPLICATE_NAME',
          `${at}/name`,
          `rule /rules/${first} has the same name "${rule.name}"`
        )
      }
      this.#walk(rule.conditions, `${at}/conditions`)
      const { type, params } = rule.event
      if (WRITE_ACTIONS.has(type) && !beforeSave) {
        this.#report(
          'E_PACK_TRIGGER_MISMATCH',
          `${at}/event/type`,
          `"${type}" acts on a write: add "beforeSave" to a trigger's events`
        )
      }
      const target = 'path' in params ? params.path?.split('.')[0] : undefined
      if (target !== undefined && !triggered.has(target)) {
        this.#report(
          'E_PACK_TRIGGER_MISMATCH',
          `${at}/event/params/path`,
          `no trigger names the resource type ${target}`
        )
      }
      for (const [key, value] of Object.entries(params)) {
        if (isFactRef(value)) {
          this.#checkFactRef(value, `${at}/event/params/${key}`)
        }
      }
      if (type === 'propose' && params.table !== undefined) {
        this.#checkTable(params.table, `${at}/event/params/table`)
      }
    })
  }

  #checkTests(): void {
    const rules = new Map(this.pack.rules.map((rule) => [rule.name, rule.event.type]))
    const fired = new Set(rules.values())
    const names = new Set<string>()
    ;(this.pack.tests ?? []).forEach((test: PackTest, index) => {
      const at = `/tests/${index}`
      if (names.has(test.name)) {
        this.#report(
          'E_PACK_DUPLICATE_NAME',
          `${at}/name`,
          `another test has the name "${test.name}"`
        )
      }
      names.add(test.name)
      for (const fact of Object.keys(test.given.facts ?? {})) {
        if (!this.#declared.has(fact)) {
          this.#report(
            'E_PACK_UNKNOWN_FACT',
            pointer(`${at}/given/facts`, fact),
            `fact "${fact}" is not declared in "facts"`
          )
        }
      }
      ;(test.expect.actions ?? []).forEach((expected, i) => {
        const where = `${at}/expect/actions/${i}`
        const ruleType = expected.rule === undefined ? undefined : rules.get(expected.rule)
        if (expected.rule !== undefined && ruleType === undefined) {
          this.#report(
            'E_PACK_TEST_REFERENCE',
            `${where}/rule`,
            `no rule is named "${expected.rule}"`
          )
        } else if (ruleType !== undefined && ruleType !== expected.type) {
          this.#report(
            'E_PACK_TEST_REFERENCE',
            `${where}/type`,
            `rule "${expected.rule}" fires "${ruleType}", not "${expected.type}"`
          )
        } else if (!fired.has(expected.type)) {
          this.#report(
            'E_PACK_TEST_REFERENCE',
            `${where}/type`,
            `no rule of the pack fires "${expected.type}"`
          )
        }
      })
    })
  }
}

/** json-rules-engine reads any object value with an own `fact` key as a fact reference. */
function isFactRef(value: unknown): value is FactRef {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'fact')
}

/** Each cycle of a reference graph once, as the names along it (first repeated at the end). */
function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const done = new Set<string>()
  const cycles: string[][] = []
  for (const start of graph.keys()) {
    if (done.has(start)) {
      continue
    }
    // Iterative depth-first search; `trail` is the current path, `onTrail` its members.
    const trail: Array<{ name: string; next: Iterator<string> }> = []
    const onTrail = new Set<string>()
    const enter = (name: string) => {
      trail.push({ name, next: (graph.get(name) ?? new Set<string>()).values() })
      onTrail.add(name)
    }
    enter(start)
    while (trail.length > 0) {
      const top = trail[trail.length - 1]
      const step = top.next.next()
      if (step.done) {
        trail.pop()
        onTrail.delete(top.name)
        done.add(top.name)
      } else if (onTrail.has(step.value)) {
        const from = trail.findIndex((entry) => entry.name === step.value)
        cycles.push([...trail.slice(from).map((entry) => entry.name), step.value])
      } else if (!done.has(step.value) && graph.has(step.value)) {
        enter(step.value)
      }
    }
  }
  return cycles
}
