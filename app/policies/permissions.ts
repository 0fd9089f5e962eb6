import type { Principal } from '#identity/principal'
import type { UserRole } from '#services/user_service'

interface Grant {
  roles: readonly UserRole[]
  scopes: readonly string[]
}

/**
 * Every permission a route can ask for, and who holds it: people by role,
 * systems and devices by token scope (DESIGN.md section 6).
 */
export const PERMISSIONS = {
  readClinicalData: { roles: ['clinician'], scopes: ['fhir'] },
  writeClinicalData: { roles: ['clinician'], scopes: ['fhir'] },
  authorPacks: { roles: ['informatician'], scopes: ['rules:author', 'rules:publish'] },
  publishPacks: { roles: ['informatician'], scopes: ['rules:publish'] },
  administer: { roles: ['administrator'], scopes: ['admin'] },
  /** Staged rollouts (percentage, pause, resume, revert): the informaticians who publish, the administrators who run the fleet. */
  manageRollouts: {
    roles: ['informatician', 'administrator'],
    scopes: ['rules:publish', 'admin'],
  },
  readAudit: { roles: ['administrator'], scopes: ['audit'] },
  /** Edges asking the iCDR about their users: devices (and the clients standing in for them). */
  serveEdges: { roles: [], scopes: ['device'] },
  /** The iCDR's conflict queue: administrators, and each device for its own conflicts. */
  resolveConflicts: { roles: ['administrator'], scopes: ['device', 'admin'] },
  /** An edge's sync centre: the people who work on it. */
  runSync: { roles: ['clinician', 'administrator'], scopes: ['sync'] },
  /** Anyone who proved who they are: their own session, logout. */
  authenticated: { roles: ['clinician', 'informatician', 'administrator'], scopes: ['*'] },
} as const satisfies Record<string, Grant>

export type Permission = keyof typeof PERMISSIONS

export function holds(principal: Principal, grant: Grant): boolean {
  if (principal.kind === 'user') {
    return grant.roles.some((role) => principal.roles.includes(role))
  }
  return grant.scopes.some((scope) => scope === '*' || principal.scopes.includes(scope))
}
