/** The Outpost roles a directory group can grant (the same names as local user roles). */
export const DIRECTORY_ROLES = {
  clinician: 'records and reads patient data in a clinic',
  informatician: 'authors, tests and publishes rule packs',
  administrator: 'runs users, devices, rollouts and audit',
} as const

export type DirectoryRole = keyof typeof DIRECTORY_ROLES

/** A group the user is a member of, as the group search found it. */
export interface DirectoryGroup {
  dn: string
  cn: string[]
}

/**
 * The roles a user's groups grant: a group counts when its DN or one of its cn values is a key
 * of the role map. Roles come back once each, in DIRECTORY_ROLES order; groups the map does not
 * name grant nothing.
 */
export function rolesForGroups(
  groups: readonly DirectoryGroup[],
  roleMap: ReadonlyMap<string, readonly DirectoryRole[]>
): DirectoryRole[] {
  const granted = new Set<DirectoryRole>()
  for (const group of groups) {
    for (const key of [group.dn, ...group.cn]) {
      for (const role of roleMap.get(normaliseGroupKey(key)) ?? []) {
        granted.add(role)
      }
    }
  }
  return (Object.keys(DIRECTORY_ROLES) as DirectoryRole[]).filter((role) => granted.has(role))
}

/**
 * A light DN normalisation for comparing configured keys with server DNs: case folded and the
 * spaces around `,` and `=` dropped. Full RFC 4514 matching needs the schema; this covers how
 * people write DNs in settings. A bare cn (`clinicians`) passes through case folded.
 * @see https://www.rfc-editor.org/rfc/rfc4514#section-2
 */
export function normaliseGroupKey(key: string): string {
  return key
    .trim()
    .toLowerCase()
    .replaceAll(/\s*([,=])\s*/g, '$1')
}
