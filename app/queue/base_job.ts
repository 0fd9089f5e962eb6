/**
 * A job is the processor of one queue. Each file under `app/jobs/` exports
 * one subclass; the class is resolved through the container, so processors
 * get their services by `@inject()`.
 *
 * Processors must be idempotent: every driver may deliver a job more than
 * once (a worker crash after the work but before the acknowledgement).
 * `JobLedger.once()` gives exactly-once effects for work done in the database.
 */
export interface JobContext {
  /** Stable id of this job: the same across redeliveries. */
  jobId: string
  attempt: number
  /** Reports how far a long job got (BullMQ shows it in the job's progress). */
  progress?: (done: number, total: number) => Promise<void>
}

export abstract class BaseJob<Payload = Record<string, unknown>> {
  /** Queue name, unique across the application. */
  static queue: string
  /** Attempts before a job is left failed (visible, never dropped). */
  static attempts = 5

  abstract handle(payload: Payload, context: JobContext): Promise<unknown>
}

export type JobClass<Payload = any> = (abstract new (...args: any[]) => BaseJob<Payload>) & {
  queue: string
  attempts: number
}

export interface DispatchOptions {
  /** Give the same id to deduplicate: a second dispatch with it is ignored. */
  jobId?: string
  delayMs?: number
}

export interface Schedule<Payload> {
  everyMs: number
  payload: Payload
}
