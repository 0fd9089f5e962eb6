/**
 * The five roles one Outpost process can boot in (DESIGN.md section 1).
 *
 * A profile says what a role stores, which HTTP surfaces it serves and
 * whether it may listen on the LAN. Routes, providers and listeners read it;
 * nothing else decides what a role does.
 */
export const SURFACES = {
  api: 'REST API for LAN systems and devices',
  fhir: 'FHIR R4 REST API',
  sync: 'sync hub for enrolled edges',
  ota: 'TUF repository for over-the-air updates',
  authoring: 'rule pack authoring',
  admin: 'administration pages',
  clinic: 'clinic pages',
  syncCentre: "an edge's own sync: status, run now, conflicts",
  setup: 'first-run set-up of a device in a shell: enrolment with the iCDR',
} as const

export type Surface = keyof typeof SURFACES

export type StoreKind = 'mysql-or-sqlite' | 'sqlite' | 'none'

export type QueueKind = 'bullmq-or-inline' | 'outbox' | 'none'

export interface RoleProfile {
  /** The SanteDB-style name of the node this role plays. */
  title: string
  store: StoreKind
  queue: QueueKind
  surfaces: readonly Surface[]
  /** Loopback-only roles never bind anything but 127.0.0.1 and start no LAN listener. */
  loopbackOnly: boolean
  /** Shell roles take a per-launch secret from the shell that started them. */
  shellSecret: boolean
}

export const ROLE_PROFILES = {
  icdr: {
    title: 'iCDR server',
    store: 'mysql-or-sqlite',
    queue: 'bullmq-or-inline',
    surfaces: ['api', 'fhir', 'sync', 'ota', 'authoring', 'admin'],
    loopbackOnly: false,
    shellSecret: false,
  },
  gateway: {
    title: 'dCDR Gateway',
    store: 'sqlite',
    queue: 'outbox',
    surfaces: ['api', 'fhir', 'clinic', 'syncCentre'],
    loopbackOnly: false,
    shellSecret: false,
  },
  desktop: {
    title: 'dCDR Windows/Linux app',
    store: 'sqlite',
    queue: 'outbox',
    surfaces: ['clinic', 'syncCentre', 'setup'],
    loopbackOnly: true,
    shellSecret: true,
  },
  android: {
    title: 'dCDR Android app',
    store: 'sqlite',
    queue: 'outbox',
    surfaces: ['clinic', 'syncCentre', 'setup'],
    loopbackOnly: true,
    shellSecret: true,
  },
  portal: {
    title: 'dCDR Web Portal',
    store: 'none',
    queue: 'none',
    surfaces: ['admin', 'clinic'],
    loopbackOnly: false,
    shellSecret: false,
  },
} as const satisfies Record<string, RoleProfile>

export type RoleName = keyof typeof ROLE_PROFILES

export const ROLE_NAMES = Object.keys(ROLE_PROFILES) as RoleName[]

export function isRoleName(value: unknown): value is RoleName {
  return typeof value === 'string' && Object.hasOwn(ROLE_PROFILES, value)
}

export function roleServes(role: RoleName, surface: Surface): boolean {
  return (ROLE_PROFILES[role].surfaces as readonly Surface[]).includes(surface)
}
