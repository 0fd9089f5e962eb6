/**
 * The roles of Outpost's TUF repository and what each one signs.
 * @see https://theupdateframework.github.io/specification/latest/#roles-and-pki
 */
export const TUF_ROLES = {
  root: 'lists the keys of the top-level roles; kept offline',
  targets: 'delegates rulepacks/* and app/* to their own keys',
  snapshot: 'lists the current version of every targets metadata file',
  timestamp: 'points at the current snapshot; short expiry, re-signed by a scheduled job',
  rulepacks: 'signs rule pack targets (rulepacks/*)',
  app: 'signs edge software bundles (app/*)',
} as const

export type TufRole = keyof typeof TUF_ROLES

/** The roles root delegates to directly. */
export const TOP_LEVEL_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const

export type TopLevelRole = (typeof TOP_LEVEL_ROLES)[number]

/**
 * Roles delegated by `targets`, with the target paths each may sign. Both are terminating:
 * a rule pack is found in `rulepacks` or nowhere, never in a role that happens to list it.
 * @see https://theupdateframework.github.io/specification/latest/#file-formats-targets
 */
export const DELEGATED_ROLES = {
  rulepacks: { paths: ['rulepacks/*'], terminating: true },
  app: { paths: ['app/*'], terminating: true },
} as const

export type DelegatedRole = keyof typeof DELEGATED_ROLES

const DAY = 24 * 60 * 60

/**
 * How long metadata signed now stays valid, in seconds. Offline roles live long; the
 * timestamp lives one day so that an edge cut off from fresh metadata stops updating
 * (a freeze attack) instead of trusting a stale view.
 * @see https://theupdateframework.github.io/specification/latest/#file-formats-object-format
 */
export const DEFAULT_EXPIRIES = {
  root: 365 * DAY,
  targets: 365 * DAY,
  rulepacks: 90 * DAY,
  app: 90 * DAY,
  snapshot: 7 * DAY,
  timestamp: DAY,
} as const satisfies Record<TufRole, number>

export function isTufRole(value: string): value is TufRole {
  return Object.hasOwn(TUF_ROLES, value)
}

export function isDelegatedRole(role: TufRole): role is DelegatedRole {
  return Object.hasOwn(DELEGATED_ROLES, role)
}
