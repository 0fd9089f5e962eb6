/*
|--------------------------------------------------------------------------
| Jobs and schedules
|--------------------------------------------------------------------------
|
| Every queue this codebase processes, and what runs on a timer. The role
| provider starts them on nodes that keep a store.
|
*/

import HousekeepingJob from '#jobs/housekeeping_job'
import RuleReevaluationJob from '#jobs/rule_reevaluation_job'
import type { JobClass, Schedule } from '#queue/base_job'

export const jobs: JobClass[] = [HousekeepingJob, RuleReevaluationJob]

export const schedules: Array<Schedule<any> & { job: JobClass }> = [
  { job: HousekeepingJob, everyMs: 6 * 3600 * 1000, payload: { retentionDays: 30 } },
  /* Nightly in effect: overdue doses and new pack versions reach every patient. */
  { job: RuleReevaluationJob, everyMs: 24 * 3600 * 1000, payload: {} },
]
