import type { DispatchOptions, JobClass, Schedule } from '#queue/base_job'

export const QUEUE_DRIVERS = {
  bullmq: 'BullMQ on Redis (iCDR)',
  inline: 'in-process, for a node without Redis',
  outbox: 'durable SQLite outbox (dCDR edges)',
} as const

export type QueueDriver = keyof typeof QUEUE_DRIVERS

export interface QueueHealth {
  driver: QueueDriver
  healthy: boolean
  message: string
}

/**
 * Where background work goes. Bound per role in `providers/role_provider.ts`:
 * BullMQ on an iCDR with Redis, inline on one without, a SQLite outbox on edges.
 */
export abstract class JobQueue {
  abstract readonly driver: QueueDriver

  /** Queue a job; resolves with its id once it is safely accepted by the driver. */
  abstract dispatch<P>(job: JobClass<P>, payload: P, options?: DispatchOptions): Promise<string>

  /**
   * Run a job on a fixed interval. With several processes, each schedule fires
   * once per interval across all of them (DESIGN.md section 10).
   */
  abstract schedule<P>(job: JobClass<P>, schedule: Schedule<P>): Promise<void>

  /** Start processing the given jobs' queues in this process. */
  abstract start(jobs: JobClass[]): Promise<void>

  /** Stop taking work, let running jobs finish, release connections. */
  abstract stop(): Promise<void>

  abstract health(): Promise<QueueHealth>
}
