/*
|--------------------------------------------------------------------------
| Jobs and schedules
|--------------------------------------------------------------------------
|
| Every queue this codebase processes, and what runs on a timer, by role.
| The role provider starts them on nodes that keep a store.
|
*/

import HousekeepingJob from '#jobs/housekeeping_job'
import RuleReevaluationJob from '#jobs/rule_reevaluation_job'
import AuditForwardJob from '#jobs/audit_forward_job'
import CredentialSyncJob from '#jobs/credential_sync_job'
import type { JobClass, Schedule } from '#queue/base_job'
import type { RoleName } from '#roles/role_profiles'

export const jobs: JobClass[] = [
  HousekeepingJob,
  RuleReevaluationJob,
  AuditForwardJob,
  CredentialSyncJob,
]

const EDGES: RoleName[] = ['gateway', 'desktop', 'android']

export const schedules: Array<Schedule<any> & { job: JobClass; roles?: RoleName[] }> = [
  { job: HousekeepingJob, everyMs: 6 * 3600 * 1000, payload: { retentionDays: 30 } },
  /* Nightly in effect: overdue doses and new pack versions reach every patient. */
  { job: RuleReevaluationJob, everyMs: 24 * 3600 * 1000, payload: {} },
  /* Edges: the audit spool to the repository, and the identity part of sync. */
  { job: AuditForwardJob, everyMs: 30 * 1000, payload: {}, roles: EDGES },
  { job: CredentialSyncJob, everyMs: 5 * 60 * 1000, payload: {}, roles: EDGES },
]
