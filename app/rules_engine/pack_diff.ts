import { isDeepStrictEqual } from 'node:util'
import type { RulePack } from '#rules_engine/pack_types'

/** A stored pack version and its status, as the diff compares them. */
export interface PackVersionState {
  pack: RulePack
  status: string
}

/** Names added, removed and changed between two lists or maps of named things. */
function diffNamed<T>(before: Map<string, T>, after: Map<string, T>) {
  return {
    added: [...after.keys()].filter((name) => !before.has(name)),
    removed: [...before.keys()].filter((name) => !after.has(name)),
    changed: [...after.keys()].filter(
      (name) => before.has(name) && !isDeepStrictEqual(before.get(name), after.get(name))
    ),
  }
}

const byName = <T extends { name: string }>(items: T[] = []) =>
  new Map(items.map((item) => [item.name, item]))

const IDENTITY_FIELDS = ['kind', 'title', 'description', 'publisher', 'requires'] as const

/** A structural diff an informatician reads before publishing. */
export function diffPacks(previous: PackVersionState | null, current: PackVersionState) {
  const before = previous?.pack
  const after = current.pack
  const beforeFacts = new Set(before?.facts ?? [])
  const afterFacts = new Set(after.facts)
  return {
    from: before ? { version: before.version, status: previous.status } : null,
    to: { version: after.version, status: current.status },
    changedFields: IDENTITY_FIELDS.filter(
      (field) => !isDeepStrictEqual(before?.[field], after[field])
    ),
    triggers: isDeepStrictEqual(before?.triggers, after.triggers)
      ? null
      : { from: before?.triggers ?? null, to: after.triggers },
    facts: {
      added: [...afterFacts].filter((fact) => !beforeFacts.has(fact)),
      removed: [...beforeFacts].filter((fact) => !afterFacts.has(fact)),
    },
    rules: diffNamed(byName(before?.rules), byName(after.rules)),
    data: diffNamed(
      new Map(Object.entries(before?.data ?? {})),
      new Map(Object.entries(after.data ?? {}))
    ),
    sharedConditions: diffNamed(
      new Map(Object.entries(before?.sharedConditions ?? {})),
      new Map(Object.entries(after.sharedConditions ?? {}))
    ),
    tests: diffNamed(byName(before?.tests), byName(after.tests)),
  }
}
