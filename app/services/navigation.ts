import { holds, PERMISSIONS, type Permission } from '#policies/permissions'
import { roleServes, type RoleName, type Surface } from '#roles/role_profiles'
import type { Principal } from '#identity/principal'

export interface NavItem {
  /** The route the link goes to (its name in start/routes). */
  route: string
  /** i18n key of the link text. */
  label: string
  /** The surface the route belongs to: the link shows only on roles serving it. */
  surface: Surface
  /** Shown only to principals holding this permission (the route's own policy). */
  permission: Permission
}

/**
 * The main navigation of the pages, in order. A link shows when this node's
 * role serves its surface and the logged-in person may open it, so nobody
 * sees a link that would answer 403 or 404.
 */
export const NAV_ITEMS: readonly NavItem[] = [
  {
    route: 'clinic.patients.index',
    label: 'common.nav.patients',
    surface: 'clinic',
    permission: 'readClinicalData',
  },
  {
    route: 'clinic.patients.create',
    label: 'common.nav.register',
    surface: 'clinic',
    permission: 'writeClinicalData',
  },
  {
    route: 'sync_centre.page',
    label: 'sync.nav.centre',
    surface: 'syncCentre',
    permission: 'runSync',
  },
  {
    route: 'authoring.packs.index',
    label: 'authoring.nav.packs',
    surface: 'authoring',
    permission: 'authorPacks',
  },
  {
    route: 'admin.dashboard',
    label: 'admin.nav.dashboard',
    surface: 'admin',
    permission: 'administer',
  },
  {
    route: 'admin.devices.index',
    label: 'admin.nav.devices',
    surface: 'admin',
    permission: 'administer',
  },
  {
    route: 'admin.rollouts.index',
    label: 'admin.nav.rollouts',
    surface: 'admin',
    permission: 'administer',
  },
  {
    route: 'admin.users.index',
    label: 'admin.nav.users',
    surface: 'admin',
    permission: 'administer',
  },
  {
    route: 'admin.audit.index',
    label: 'admin.nav.audit',
    surface: 'admin',
    permission: 'readAudit',
  },
  {
    route: 'admin.conflicts.index',
    label: 'admin.nav.conflicts',
    surface: 'admin',
    permission: 'administer',
  },
]

export function navigationFor(role: RoleName, principal: Principal | undefined): NavItem[] {
  if (!principal) {
    return []
  }
  return NAV_ITEMS.filter(
    (item) => roleServes(role, item.surface) && holds(principal, PERMISSIONS[item.permission])
  )
}

/** The page a person lands on after logging in: the first link they may follow. */
export function homeRouteFor(role: RoleName, principal: Principal): string | undefined {
  return navigationFor(role, principal)[0]?.route
}
