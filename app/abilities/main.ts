/*
|--------------------------------------------------------------------------
| Bouncer abilities
|--------------------------------------------------------------------------
|
| One ability per permission of app/policies/permissions.ts. Routes name
| theirs in app/policies/route_policies.ts; the authorize middleware asks
| Bouncer.
|
*/

import { Bouncer } from '@adonisjs/bouncer'
import { PERMISSIONS, holds, type Permission } from '#policies/permissions'
import type { Principal } from '#identity/principal'

function ability(permission: Permission) {
  return Bouncer.ability((principal: Principal) => holds(principal, PERMISSIONS[permission]))
}

export const readClinicalData = ability('readClinicalData')
export const writeClinicalData = ability('writeClinicalData')
export const authorPacks = ability('authorPacks')
export const publishPacks = ability('publishPacks')
export const administer = ability('administer')
export const manageRollouts = ability('manageRollouts')
export const readAudit = ability('readAudit')
export const serveEdges = ability('serveEdges')
export const resolveConflicts = ability('resolveConflicts')
export const runSync = ability('runSync')
export const authenticated = ability('authenticated')
