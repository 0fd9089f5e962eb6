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
import type { JobClass } from '#queue/base_job'

export const jobs: JobClass[] = [HousekeepingJob]

export const schedules = [
  { job: HousekeepingJob, everyMs: 6 * 3600 * 1000, payload: { retentionDays: 30 } },
]
