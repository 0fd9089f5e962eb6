import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import app from '@adonisjs/core/services/app'
import { JobQueue } from '#queue/job_queue'
import type outpostConfig from '#config/outpost'

export interface DependencyStatus {
  status: 'ok' | 'down' | 'none'
  message: string
  [detail: string]: unknown
}

export interface HealthReport {
  status: 'ok' | 'down'
  role: string
  title: string
  version: string
  checks: { database: DependencyStatus; queue: DependencyStatus; icdr?: DependencyStatus }
}

const PROBE_TIMEOUT_MS = 2000

/**
 * What `/health` answers: the node's role and version, and whether each
 * dependency this role needs answers right now.
 */
@inject()
export class HealthService {
  constructor(
    protected db: Database,
    protected queue: JobQueue
  ) {}

  async report(): Promise<HealthReport> {
    const { role, profile, version, icdrUrl } = app.config.get<typeof outpostConfig>('outpost')
    const checks: HealthReport['checks'] =
      profile.store === 'none'
        ? {
            database: { status: 'none', message: 'no local store on this role' },
            queue: { status: 'none', message: 'no background jobs on this role' },
            icdr: await this.#icdr(icdrUrl!),
          }
        : { database: await this.#database(), queue: await this.#queue() }
    const down = Object.values(checks).some((check) => check.status === 'down')
    return { status: down ? 'down' : 'ok', role, title: profile.title, version, checks }
  }

  async #database(): Promise<DependencyStatus> {
    const connection = this.db.primaryConnectionName
    const started = performance.now()
    try {
      await withTimeout(this.db.connection(connection).rawQuery('select 1'), PROBE_TIMEOUT_MS)
      return {
        status: 'ok',
        message: 'answers',
        connection,
        latencyMs: Math.round(performance.now() - started),
      }
    } catch (error) {
      return { status: 'down', message: error.message, connection }
    }
  }

  async #queue(): Promise<DependencyStatus> {
    const health = await withTimeout(this.queue.health(), PROBE_TIMEOUT_MS).catch((error) => ({
      driver: this.queue.driver,
      healthy: false,
      message: error.message,
    }))
    return {
      status: health.healthy ? 'ok' : 'down',
      message: health.message,
      driver: health.driver,
    }
  }

  async #icdr(icdrUrl: string): Promise<DependencyStatus> {
    try {
      const response = await fetch(new URL('/health', icdrUrl), {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      })
      return response.ok
        ? { status: 'ok', message: 'iCDR answers', url: icdrUrl }
        : { status: 'down', message: `iCDR answered ${response.status}`, url: icdrUrl }
    } catch (error) {
      return { status: 'down', message: `iCDR unreachable: ${error.message}`, url: icdrUrl }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}
