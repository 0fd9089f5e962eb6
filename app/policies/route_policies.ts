import type { Permission } from '#policies/permissions'

/**
 * Who may call each route, by route name (DESIGN.md section 6). The authorize
 * middleware refuses any route missing here, and a test walks the route table
 * against every role, so a new route without a policy fails the build rather
 * than opening silently.
 *
 * `public` routes answer anyone: they reveal nothing about patients or users.
 */
export type RoutePolicy = 'public' | Permission | ((params: Record<string, string>) => Permission)

/** FHIR AuditEvent lives in the audit repository: auditors read it, clinicians do not. */
function fhirRead(params: Record<string, string>): Permission {
  return params.type === 'AuditEvent' ? 'readAudit' : 'readClinicalData'
}

export const ROUTE_POLICIES: Record<string, RoutePolicy> = {
  'health': 'public',

  'auth.login': 'public',
  'auth.logout': 'authenticated',
  'auth.session': 'authenticated',

  'sync.changes': 'serveEdges',
  'sync.push': 'serveEdges',
  'sync.conflicts.index': 'resolveConflicts',
  'sync.conflicts.show': 'resolveConflicts',
  'sync.conflicts.states': 'resolveConflicts',
  'sync.conflicts.resolve': 'resolveConflicts',
  'sync_centre.status': 'runSync',
  'sync_centre.run': 'runSync',
  'sync_centre.resolve': 'runSync',
  'sync_centre.retry': 'runSync',
  /* A shell's first run: nobody can log in before the device knows its iCDR; only the shell's window reaches it. */
  'setup.show': 'public',
  'setup.store': 'public',
  'sync_centre.page': 'runSync',
  'sync_centre.page.run': 'runSync',
  'sync_centre.page.resolve': 'runSync',
  'sync_centre.page.retry': 'runSync',

  /* Pages every role shares; `/` sends a visitor to the login page or their first page. */
  'pages.home': 'public',
  'pages.login': 'public',
  'pages.login.store': 'public',
  'pages.logout': 'authenticated',
  'pages.assets': 'public',
  'pages.assets.alpine': 'public',
  'pages.connectivity': 'public',

  'clinic.patients.index': 'readClinicalData',
  'clinic.patients.create': 'writeClinicalData',
  'clinic.patients.store': 'writeClinicalData',
  'clinic.patients.show': 'readClinicalData',
  'clinic.vitals.create': 'writeClinicalData',
  'clinic.vitals.store': 'writeClinicalData',
  'clinic.immunizations.create': 'writeClinicalData',
  'clinic.immunizations.store': 'writeClinicalData',
  'clinic.alerts.acknowledge': 'writeClinicalData',

  'authoring.packs.index': 'authorPacks',
  'authoring.packs.create': 'authorPacks',
  'authoring.packs.store': 'authorPacks',
  'authoring.packs.check': 'authorPacks',
  'authoring.packs.show': 'authorPacks',
  'authoring.packs.edit': 'authorPacks',
  'authoring.packs.tests': 'authorPacks',
  'authoring.packs.diff': 'authorPacks',
  'authoring.packs.publish.confirm': 'publishPacks',
  'authoring.packs.publish': 'publishPacks',
  'authoring.packs.release.confirm': 'publishPacks',
  'authoring.packs.release': 'publishPacks',

  /* The administration pages; pausing and reverting rollouts is the administrators' job there. */
  'admin.dashboard': 'administer',
  'admin.users.index': 'administer',
  'admin.users.store': 'administer',
  'admin.users.deactivate': 'administer',
  'admin.devices.index': 'administer',
  'admin.devices.store': 'administer',
  'admin.devices.revoke': 'administer',
  'admin.rollouts.index': 'administer',
  'admin.rollouts.update': 'manageRollouts',
  'admin.rollouts.pause': 'manageRollouts',
  'admin.rollouts.resume': 'manageRollouts',
  'admin.rollouts.revert': 'manageRollouts',
  'admin.audit.index': 'readAudit',
  'admin.conflicts.index': 'administer',
  'admin.conflicts.resolve': 'administer',

  /* The same lists and figures as JSON, for the portal's administration pages. */
  'api.admin.devices': 'administer',
  'api.admin.rollouts': 'administer',
  'api.admin.rollouts.percentage': 'manageRollouts',
  'api.admin.rollouts.pause': 'manageRollouts',
  'api.admin.rollouts.resume': 'manageRollouts',
  'api.admin.rollouts.revert': 'manageRollouts',
  'api.admin.dashboard': 'administer',

  'api.node.show': 'public',
  'api.patients.due': 'readClinicalData',
  'api.patients.alerts': 'readClinicalData',
  'api.patients.alerts.acknowledge': 'writeClinicalData',
  'api.auth.tokens': 'public',
  'api.auth.verify': 'serveEdges',
  'api.auth.credential_changes': 'serveEdges',
  'api.auth.security_reports': 'serveEdges',
  'api.users.index': 'administer',
  'api.users.store': 'administer',
  'api.users.password': 'administer',
  'api.users.deactivate': 'administer',
  'api.audit_events.index': 'readAudit',
  'api.devices.index': 'administer',
  'api.devices.store': 'administer',
  'api.devices.revoke': 'administer',
  /* The one-time code is the credential; failures are audited and rate-limited. */
  'api.enrol': 'public',

  'rule_packs.schema': 'public',
  'rule_packs.index': 'authorPacks',
  'rule_packs.failures': 'authorPacks',
  'rule_packs.store': 'authorPacks',
  'rule_packs.validate': 'authorPacks',
  'rule_packs.show': 'authorPacks',
  'rule_packs.test': 'authorPacks',
  'rule_packs.diff': 'authorPacks',
  'rule_packs.publish': 'publishPacks',
  'rule_packs.retire': 'publishPacks',

  /* TUF metadata and targets are signed: anyone, mirrors included, may copy them. */
  'ota.metadata': 'public',
  'ota.target': 'public',
  'ota.updates': 'serveEdges',
  'ota.reports': 'serveEdges',
  'ota.devices.index': 'administer',
  'ota.channels.index': 'publishPacks',
  'ota.channels.store': 'administer',
  'ota.assignments.update': 'administer',
  'ota.releases.store': 'publishPacks',
  'ota.rollouts.update': 'manageRollouts',
  'ota.rollouts.pause': 'manageRollouts',
  'ota.rollouts.resume': 'manageRollouts',
  'ota.rollouts.revert': 'manageRollouts',

  'fhir.metadata': 'public',
  'fhir.bundle': 'writeClinicalData',
  'fhir.search': fhirRead,
  'fhir.search.post': fhirRead,
  'fhir.history.type': fhirRead,
  /* Writes of AuditEvent are refused (405) whoever asks: it is written by the audit trail. */
  'fhir.create': 'writeClinicalData',
  'fhir.read': fhirRead,
  'fhir.update': 'writeClinicalData',
  'fhir.delete': 'writeClinicalData',
  'fhir.history.instance': fhirRead,
  'fhir.vread': fhirRead,
}

export function permissionFor(
  routeName: string | undefined,
  params: Record<string, string>
): Permission | 'public' | undefined {
  const policy = routeName ? ROUTE_POLICIES[routeName] : undefined
  return typeof policy === 'function' ? policy(params) : policy
}
