import type { AuditRecord } from '#interop/atna/audit_record'
import type { Principal } from '#identity/principal'
import type { AuditSearch } from '#services/audit_repository'
import type { RequestOrigin } from '#services/audit_trail'
import type { DeviceLag, FacilityIssues, RuleFiringSeries } from '#services/dashboard_metrics'
import type { DeviceOverview } from '#services/device_overview'
import type { DeviceRecord, NewDevice } from '#services/device_service'
import type { RolloutRequest } from '#services/ota_channel_service'
import type { ChannelProgress } from '#services/rollout_progress'
import type { NewUser, UserRole } from '#services/user_service'
import type { ConflictView } from '#sync/conflict_queue'

export interface UserSummary {
  username: string
  fullName: string
  roles: UserRole[]
  source: string
  facilityId: string | null
  active: boolean
  locked: boolean
  lastLoginAt: string | null
}

export interface NewDeviceCode {
  device: DeviceRecord
  code: string
  expiresAt: string
}

export interface DashboardFigures {
  syncLag: DeviceLag[]
  ruleFirings: RuleFiringSeries
  dqByFacility: FacilityIssues[]
}

/** Who does an administrative action, for the audit trail. */
export interface AdminActor {
  principal: Principal
  origin: RequestOrigin
}

/** What an administrator may decide for a conflict from the queue page (a merge needs the API). */
export const CONFLICT_CHOICES = ['mine', 'theirs', 'merge'] as const
export type ConflictChoice = (typeof CONFLICT_CHOICES)[number]

export const ROLLOUT_ACTIONS = ['pause', 'resume', 'revert'] as const
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number]

/**
 * Where the administration pages read and change things (DESIGN.md section 1): the
 * iCDR's own services on the iCDR, the iCDR's API on the portal, which has no store.
 * Controllers and views are the same on both.
 */
export abstract class AdminBackend {
  abstract users(): Promise<UserSummary[]>
  /** Creates the user, or resets the name, password and roles of an existing local one. */
  abstract saveUser(user: NewUser, actor: AdminActor): Promise<void>
  /** False when there is no such user. */
  abstract deactivateUser(username: string, actor: AdminActor): Promise<boolean>

  abstract devices(): Promise<DeviceOverview[]>
  abstract createDevice(device: NewDevice, actor: AdminActor): Promise<NewDeviceCode>
  abstract revokeDevice(name: string, actor: AdminActor): Promise<boolean>

  abstract rollouts(): Promise<ChannelProgress[]>
  abstract changeRollout(
    channel: string,
    packId: string,
    action: RolloutAction,
    actor: AdminActor
  ): Promise<void>
  abstract widenRollout(
    channel: string,
    packId: string,
    request: RolloutRequest,
    actor: AdminActor
  ): Promise<void>

  abstract auditEvents(filters: AuditSearch): Promise<AuditRecord[]>
  abstract dashboard(days: number): Promise<DashboardFigures>
  abstract conflicts(status: ConflictView['status']): Promise<ConflictView[]>
  /** `merged` is the resource a person put together, for a merge. */
  abstract resolveConflict(
    id: number,
    decision: { choice: ConflictChoice; merged?: Record<string, unknown> },
    actor: AdminActor
  ): Promise<void>
}
