import type { UserRole } from '#services/user_service'

export const PRINCIPAL_KINDS = {
  user: 'a person, logged in with a session or holding a user API token',
  client: 'a registered LAN system or script holding an API token',
  device: 'an enrolled edge holding device credentials',
} as const

export type PrincipalKind = keyof typeof PRINCIPAL_KINDS

/** How a person's login was decided (DESIGN.md section 6). */
export type LoginMode = 'local' | 'ldap' | 'online' | 'offline'

/**
 * Whoever a request acts for. People carry roles; systems and devices carry
 * scopes. Policies decide on both (app/abilities/main.ts).
 */
export interface Principal {
  kind: PrincipalKind
  id: string
  name: string
  roles: readonly UserRole[]
  scopes: readonly string[]
  facilityId?: string | null
  loginMode?: LoginMode
}

/** What a session keeps of a logged-in person; everything else is re-read per request. */
export interface SessionLogin {
  username: string
  mode: LoginMode
  /** Portal only: the snapshot, since the portal has no store to re-read. */
  snapshot?: Pick<Principal, 'name' | 'roles' | 'facilityId'>
}

/** The principal as the save pipeline and audit trail name it. */
export function actorOf(principal: Principal) {
  return { kind: principal.kind, id: principal.id, name: principal.name }
}
