import { inject } from '@adonisjs/core'
import { HttpContext } from '@adonisjs/core/http'
import { AccessError } from '#identity/access_error'
import { icdrTokenOf } from '#services/portal_tokens'
import type { AuditRecord } from '#interop/atna/audit_record'
import type { AuditSearch } from '#services/audit_repository'
import type { DeviceOverview } from '#services/device_overview'
import { EnrolmentError, type NewDevice } from '#services/device_service'
import { IcdrClient, type IcdrAnswer } from '#services/icdr_client'
import type { RolloutRequest } from '#services/ota_channel_service'
import { OtaRequestError } from '#services/ota_request_error'
import type { ChannelProgress } from '#services/rollout_progress'
import { UserAccountError, type NewUser } from '#services/user_service'
import { ConflictError, type ConflictView } from '#sync/conflict_queue'
import {
  AdminBackend,
  type ConflictChoice,
  type DashboardFigures,
  type NewDeviceCode,
  type RolloutAction,
  type UserSummary,
} from '#services/admin_backend'

/** The iCDR refused what the portal asked for it; the page shows its message. */
export class IcdrRefusalError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'IcdrRefusalError'
  }
}

/**
 * The administration pages on the portal (DESIGN.md section 1): every list and
 * change goes to the iCDR's API as the person logged in (their iCDR token,
 * taken at login), so the iCDR decides by their roles and its audit trail
 * names them, not the portal.
 */
@inject()
export class HttpAdminBackend extends AdminBackend {
  constructor(
    protected icdr: IcdrClient,
    protected ctx: HttpContext
  ) {
    super()
  }

  #request<T = any>(method: 'GET' | 'POST', path: string, options: { body?: unknown } = {}) {
    const bearer = icdrTokenOf(this.ctx)
    if (!bearer) {
      throw AccessError.unauthenticated()
    }
    return this.icdr.request<T>(method, path, { ...options, bearer })
  }

  users() {
    return this.#get<UserSummary[]>('/api/v1/users')
  }

  async saveUser(user: NewUser) {
    const answer = await this.#request<any>('POST', '/api/v1/users', { body: user })
    const refusal = answer.body?.error
    if (refusal?.code === 'E_PASSWORD_REQUIRED' || refusal?.code === 'E_DIRECTORY_USER') {
      throw new UserAccountError(refusal.code, answer.status, refusal.message)
    }
    await this.#expect(answer)
  }

  async deactivateUser(username: string) {
    const path = `/api/v1/users/${encodeURIComponent(username)}/deactivate`
    return this.#found(await this.#request('POST', path))
  }

  devices() {
    return this.#get<DeviceOverview[]>('/api/v1/admin/devices')
  }

  async createDevice(device: NewDevice) {
    const answer = await this.#request('POST', '/api/v1/devices', { body: device })
    if (answer.status === 409) {
      throw EnrolmentError.deviceExists(device.name)
    }
    return this.#expect<NewDeviceCode>(answer)
  }

  async revokeDevice(name: string) {
    const path = `/api/v1/devices/${encodeURIComponent(name)}/revoke`
    return this.#found(await this.#request('POST', path))
  }

  rollouts() {
    return this.#get<ChannelProgress[]>('/api/v1/admin/rollouts')
  }

  async changeRollout(channel: string, packId: string, action: RolloutAction) {
    await this.#rollout(channel, packId, action)
  }

  async widenRollout(channel: string, packId: string, request: RolloutRequest) {
    await this.#rollout(channel, packId, 'percentage', request)
  }

  async auditEvents(filters: AuditSearch) {
    const query = new URLSearchParams()
    for (const [key, value] of Object.entries(filters)) {
      if (value !== undefined && value !== null) {
        query.set(key, value instanceof Date ? value.toISOString() : String(value))
      }
    }
    const { events } = await this.#get<{ events: AuditRecord[] }>(`/api/v1/audit-events?${query}`)
    return events.map((event) => ({ ...event, recordedAt: new Date(event.recordedAt) }))
  }

  dashboard(days: number) {
    return this.#get<DashboardFigures>(`/api/v1/admin/dashboard?days=${days}`)
  }

  conflicts(status: ConflictView['status']) {
    return this.#get<ConflictView[]>(`/api/v1/sync/conflicts?status=${status}`)
  }

  /* The portal acts on the iCDR as itself: the iCDR records the resolution under its name. */
  async resolveConflict(
    id: number,
    { choice, merged }: { choice: ConflictChoice; merged?: Record<string, unknown> }
  ) {
    const path = `/api/v1/sync/conflicts/${id}/resolve`
    const answer = await this.#request('POST', path, { body: { choice, resource: merged } })
    if (answer.status === 404) {
      throw ConflictError.notFound(id)
    }
    if (answer.status === 409) {
      throw ConflictError.alreadyResolved(id)
    }
    this.#expect(answer)
  }

  async #rollout(channel: string, packId: string, step: string, body?: unknown) {
    const path = `/api/v1/admin/rollouts/${encodeURIComponent(channel)}/${encodeURIComponent(packId)}/${step}`
    const answer = await this.#request('POST', path, { body })
    if (answer.status === 404 || answer.status === 409) {
      throw new OtaRequestError(
        answer.body?.error?.code,
        answer.body?.error?.message,
        answer.status
      )
    }
    await this.#expect(answer)
  }

  async #get<T>(path: string): Promise<T> {
    return this.#expect<T>(await this.#request<T>('GET', path))
  }

  #found(answer: IcdrAnswer<any>) {
    if (answer.status === 404) {
      return false
    }
    this.#expect(answer)
    return true
  }

  #expect<T>(answer: IcdrAnswer<any>): T {
    if (answer.status >= 200 && answer.status < 300) {
      return answer.body as T
    }
    const error = answer.body?.error ?? answer.body?.errors?.[0] ?? {}
    throw new IcdrRefusalError(
      answer.status,
      error.code ?? 'E_ICDR_REFUSED',
      error.message ?? `The iCDR answered ${answer.status}`
    )
  }
}
