import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { DeviceService } from '#services/device_service'
import { OtaFleetService, type PackVersion } from '#services/ota_fleet_service'
import { DeviceSyncState } from '#sync/device_sync_state'

/**
 * When each device last caught up with the sync hub: its last pull that left
 * nothing to pull (`sync_device_state`), else its newest push the hub answered.
 */
@inject()
export class DeviceSyncActivity {
  constructor(
    protected db: Database,
    protected state: DeviceSyncState
  ) {}

  /** Epoch milliseconds of each device's last sync, by device name. */
  async lastSyncs(): Promise<Map<string, number>> {
    const rows = await this.db
      .from('sync_receipts')
      .groupBy('device_name')
      .select('device_name')
      .max('created_at as last')
    const syncs = new Map(rows.map((row) => [row.device_name as string, Number(row.last)]))
    for (const [device, record] of await this.state.all()) {
      const last = record.caughtUpAt ?? record.pushedAt
      if (last !== null) {
        syncs.set(device, last)
      }
    }
    return syncs
  }
}

export interface DeviceOverview {
  name: string
  /** gateway, desktop or android; null for a device principal that was never enrolled here. */
  role: string | null
  facilityIds: string[]
  /** pending, expired, enrolled, revoked; `reporting` for a device known only from its reports. */
  status: string
  enrolledAt: string | null
  codeExpiresAt: string | null
  /** The last time the device called the iCDR (update check, report, sync). */
  lastSeenAt: string | null
  /** The last completed sync, else the last successful update check. */
  lastSyncAt: string | null
  /** Seconds since `lastSyncAt` (or enrolment when it never synced); null when never enrolled. */
  syncLagSeconds: number | null
  channel: string | null
  installed: PackVersion[]
  expected: PackVersion[]
  upToDate: boolean | null
  lastError: { code: string; message: string } | null
}

/**
 * One row per device for administrators: what enrolment knows (name, role,
 * facilities, status), what the device last reported over OTA (installed
 * versions, errors) and how long ago it last caught up with the iCDR.
 */
@inject()
export class DeviceOverviewService {
  constructor(
    protected devices: DeviceService,
    protected fleet: OtaFleetService,
    protected sync: DeviceSyncActivity
  ) {}

  async list(now = Date.now()): Promise<DeviceOverview[]> {
    const [enrolled, reported, syncs] = await Promise.all([
      this.devices.list(),
      this.fleet.devices(),
      this.sync.lastSyncs(),
    ])
    const reports = new Map(reported.map((entry) => [entry.device, entry]))
    const rows: DeviceOverview[] = enrolled.map((device) => {
      const report = reports.get(device.name)
      reports.delete(device.name)
      return overview(
        {
          name: device.name,
          role: device.role,
          facilityIds: device.facilityIds,
          status: device.status,
          enrolledAt: device.enrolledAt,
          codeExpiresAt: device.codeExpiresAt,
        },
        report,
        syncs.get(device.name),
        now
      )
    })
    for (const report of reports.values()) {
      rows.push(
        overview(
          {
            name: report.device,
            role: null,
            facilityIds: report.facility ? [report.facility] : [],
            status: 'reporting',
            enrolledAt: null,
            codeExpiresAt: null,
          },
          report,
          syncs.get(report.device),
          now
        )
      )
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name))
  }

  async find(name: string): Promise<DeviceOverview | null> {
    const rows = await this.list()
    return rows.find((row) => row.name === name) ?? null
  }
}

type FleetEntry = Awaited<ReturnType<OtaFleetService['devices']>>[number]

type Identity = Pick<
  DeviceOverview,
  'name' | 'role' | 'facilityIds' | 'status' | 'enrolledAt' | 'codeExpiresAt'
>

function overview(
  identity: Identity,
  report: FleetEntry | undefined,
  lastSync: number | undefined,
  now: number
): DeviceOverview {
  const seen = latest([report?.reportedAt, report?.lastCheckAt, lastSync])
  /* An edge that syncs is judged by its syncs; one that only checks for updates, by those. */
  const synced = lastSync ?? latest([report?.lastSuccessAt])
  const since = synced ?? (identity.enrolledAt ? Date.parse(identity.enrolledAt) : null)
  const tracked = identity.status !== 'pending' && identity.status !== 'expired'
  return {
    ...identity,
    lastSeenAt: iso(seen),
    lastSyncAt: iso(synced),
    syncLagSeconds:
      tracked && since !== null && identity.status !== 'revoked'
        ? Math.max(0, Math.round((now - since) / 1000))
        : null,
    channel: report?.channel ?? null,
    installed: report?.installed ?? [],
    expected: report?.expected ?? [],
    upToDate: report ? report.upToDate : null,
    lastError: report?.lastError ?? null,
  }
}

function latest(values: (string | number | null | undefined)[]): number | null {
  const times = values
    .map((value) => (typeof value === 'string' ? Date.parse(value) : value))
    .filter((value): value is number => typeof value === 'number' && !Number.isNaN(value))
  return times.length > 0 ? Math.max(...times) : null
}

function iso(value: number | null) {
  return value === null ? null : new Date(value).toISOString()
}
