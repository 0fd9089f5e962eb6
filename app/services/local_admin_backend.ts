import { inject } from '@adonisjs/core'
import { AuditRepository, type AuditSearch } from '#services/audit_repository'
import { DashboardMetricsService } from '#services/dashboard_metrics'
import { DeviceOverviewService } from '#services/device_overview'
import { DeviceService, type NewDevice } from '#services/device_service'
import type { RolloutRequest } from '#services/ota_channel_service'
import { OtaReleaseService } from '#services/ota_release_service'
import { RolloutProgressService } from '#services/rollout_progress'
import { UserService, type NewUser } from '#services/user_service'
import { ConflictQueue, type ConflictView } from '#sync/conflict_queue'
import {
  AdminBackend,
  type AdminActor,
  type ConflictChoice,
  type DashboardFigures,
  type RolloutAction,
} from '#services/admin_backend'

/** The administration pages on the iCDR: its own services and store. */
@inject()
export class LocalAdminBackend extends AdminBackend {
  constructor(
    protected userService: UserService,
    protected deviceService: DeviceService,
    protected overview: DeviceOverviewService,
    protected releases: OtaReleaseService,
    protected progress: RolloutProgressService,
    protected audit: AuditRepository,
    protected metrics: DashboardMetricsService,
    protected queue: ConflictQueue
  ) {
    super()
  }

  users() {
    return this.userService.list()
  }

  saveUser(user: NewUser) {
    return this.userService.upsertLocal(user)
  }

  deactivateUser(username: string) {
    return this.userService.deactivate(username)
  }

  devices() {
    return this.overview.list()
  }

  createDevice(device: NewDevice, actor: AdminActor) {
    return this.deviceService.create(device, actor.principal)
  }

  revokeDevice(name: string) {
    return this.deviceService.revoke(name)
  }

  rollouts() {
    return this.progress.list()
  }

  async changeRollout(channel: string, packId: string, action: RolloutAction, actor: AdminActor) {
    switch (action) {
      case 'pause':
        await this.releases.pause(channel, packId, actor)
        return
      case 'resume':
        await this.releases.resume(channel, packId, actor)
        return
      case 'revert':
        await this.releases.revert(channel, packId, actor)
        return
      default:
        return action satisfies never
    }
  }

  async widenRollout(channel: string, packId: string, request: RolloutRequest, actor: AdminActor) {
    await this.releases.updateRollout(channel, packId, request, actor)
  }

  auditEvents(filters: AuditSearch) {
    return this.audit.search(filters)
  }

  async dashboard(days: number): Promise<DashboardFigures> {
    const [syncLag, ruleFirings, dqByFacility] = await Promise.all([
      this.metrics.syncLag(),
      this.metrics.ruleFirings(days),
      this.metrics.dqIssuesByFacility(),
    ])
    return { syncLag, ruleFirings, dqByFacility }
  }

  conflicts(status: ConflictView['status']) {
    return this.queue.list({ status })
  }

  async resolveConflict(
    id: number,
    { choice, merged }: { choice: ConflictChoice; merged?: Record<string, unknown> },
    actor: AdminActor
  ) {
    await this.queue.resolve(id, choice, actor.principal, merged)
  }
}
