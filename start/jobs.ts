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
import SyncJob from '#jobs/sync_job'
import OtaCheckJob from '#jobs/ota_check_job'
import OtaRepositoryJob from '#jobs/ota_repository_job'
import app from '@adonisjs/core/services/app'
import type { JobClass, Schedule } from '#queue/base_job'
import type { RoleName } from '#roles/role_profiles'
import type otaConfig from '#config/ota'
import type syncConfig from '#config/sync'

export const jobs: JobClass[] = [
  HousekeepingJob,
  RuleReevaluationJob,
  AuditForwardJob,
  CredentialSyncJob,
  SyncJob,
  OtaCheckJob,
  OtaRepositoryJob,
]

const EDGES: RoleName[] = ['gateway', 'desktop', 'android']

const ota = app.config.get<typeof otaConfig>('ota')
const sync = app.config.get<typeof syncConfig>('sync')

export const schedules: Array<Schedule<any> & { job: JobClass; roles?: RoleName[] }> = [
  { job: HousekeepingJob, everyMs: 6 * 3600 * 1000, payload: { retentionDays: 30 } },
  /* Nightly in effect: overdue doses and new pack versions reach every patient. */
  { job: RuleReevaluationJob, everyMs: 24 * 3600 * 1000, payload: {} },
  /* Edges: the audit spool to the repository, and the identity part of sync. */
  { job: AuditForwardJob, everyMs: 30 * 1000, payload: {}, roles: EDGES },
  { job: CredentialSyncJob, everyMs: 5 * 60 * 1000, payload: {}, roles: EDGES },
  /* Sync: pushes the outbox, pulls changes; backs off while the iCDR is unreachable. */
  ...(sync.intervalMs > 0
    ? [{ job: SyncJob, everyMs: sync.intervalMs, payload: {}, roles: EDGES }]
    : []),
  /* OTA: the iCDR keeps its timestamp fresh; edges check for updates (0: only on demand). */
  { job: OtaRepositoryJob, everyMs: ota.maintenanceEveryMs, payload: {}, roles: ['icdr'] },
  ...(ota.checkEveryMs > 0
    ? [{ job: OtaCheckJob, everyMs: ota.checkEveryMs, payload: {}, roles: EDGES }]
    : []),
]
