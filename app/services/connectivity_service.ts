import app from '@adonisjs/core/services/app'
import { type IcdrClient } from '#services/icdr_client'
import type outpostConfig from '#config/outpost'

export const CONNECTIVITY_STATES = {
  central: 'this node is the iCDR',
  online: 'the iCDR answered recently',
  offline: 'the iCDR did not answer: work is kept here and synced later',
} as const

export type ConnectivityState = keyof typeof CONNECTIVITY_STATES

export interface Connectivity {
  state: ConnectivityState
  /** When the iCDR last answered (ISO 8601), if it ever did since this process started. */
  lastAnsweredAt: string | null
  checkedAt: string
}

const PROBE_TIMEOUT_MS = 1500
/** A probe result is trusted this long; the badge asks again about as often. */
const FRESH_MS = 15_000

/**
 * Whether this node can reach its iCDR now: the online/offline badge of the
 * pages. Edges and the portal probe the iCDR's /health, at most every 15
 * seconds; a stale answer is served at once while a new probe runs, so a
 * page never waits on a network that is gone. One per process (a container
 * singleton): each edge is one process, and the iCDR never probes.
 */
export class ConnectivityService {
  #last?: Connectivity
  #probe?: Promise<Connectivity>

  constructor(protected icdr: IcdrClient) {}

  /** The latest known state; probes first only when nothing is known yet. */
  async current(): Promise<Connectivity> {
    if (this.#isCentral()) {
      return this.#central()
    }
    if (!this.#last) {
      return this.refresh()
    }
    if (Date.now() - Date.parse(this.#last.checkedAt) > FRESH_MS) {
      void this.refresh()
    }
    return this.#last
  }

  /** A fresh answer, probing unless one was just made (concurrent callers share a probe). */
  async refresh(): Promise<Connectivity> {
    if (this.#isCentral()) {
      return this.#central()
    }
    if (this.#last && Date.now() - Date.parse(this.#last.checkedAt) < 2000) {
      return this.#last
    }
    this.#probe ??= this.#probeIcdr().finally(() => (this.#probe = undefined))
    return this.#probe
  }

  async #probeIcdr(): Promise<Connectivity> {
    const checkedAt = new Date().toISOString()
    let answered = false
    try {
      const base = await this.icdr.baseUrl()
      if (base) {
        const response = await fetch(new URL('/health', `${base}/`), {
          signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        })
        await response.body?.cancel()
        /* A 503 still answered: the iCDR is there, one of its own dependencies is not. */
        answered = response.status < 500 || response.status === 503
      }
    } catch {
      answered = false
    }
    this.#last = {
      state: answered ? 'online' : 'offline',
      lastAnsweredAt: answered ? checkedAt : (this.#last?.lastAnsweredAt ?? null),
      checkedAt,
    }
    return this.#last
  }

  #isCentral() {
    return app.config.get<typeof outpostConfig>('outpost').role === 'icdr'
  }

  #central(): Connectivity {
    const now = new Date().toISOString()
    return { state: 'central', lastAnsweredAt: now, checkedAt: now }
  }
}
