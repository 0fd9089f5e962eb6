import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { OtaChannelService, type DeviceUpdates } from '#services/ota_channel_service'
import type { DeviceView } from '#services/ota_rollout'

export interface PackVersion {
  packId: string
  version: string
}

/** What an edge says after each check. */
export interface DeviceReport {
  installed: PackVersion[]
  heldBack: (PackVersion & { reason?: string })[]
  facility?: string | null
  appVersion?: string | null
  lastCheckAt?: string | null
  lastSuccessAt?: string | null
  lastError?: { code: string; message: string } | null
}

/**
 * The fleet as the iCDR sees it (DESIGN.md section 4): each device's last report, and
 * from the channels what it should run, so that administrators see who lags behind and
 * why. Devices are known by the name of their principal (an API client with the
 * `device` scope until enrolment brings device credentials).
 */
@inject()
export class OtaFleetService {
  constructor(
    protected db: Database,
    protected channels: OtaChannelService
  ) {}

  /** Which versions apply to a device now. */
  async updatesFor(device: string, facility?: string | null): Promise<DeviceUpdates> {
    const row = await this.db.from('ota_devices').where('name', device).first()
    return this.channels.updatesFor(deviceView(device, row), facility ?? row?.facility_id)
  }

  async report(device: string, report: DeviceReport) {
    const values = {
      facility_id: report.facility ?? null,
      app_version: report.appVersion ?? null,
      installed: JSON.stringify(report.installed),
      held_back: JSON.stringify(report.heldBack),
      last_check_at: millis(report.lastCheckAt),
      last_success_at: millis(report.lastSuccessAt),
      last_error_code: report.lastError?.code ?? null,
      last_error_message: report.lastError?.message.slice(0, 4000) ?? null,
      reported_at: Date.now(),
    }
    await this.db.transaction(async (trx) => {
      const updated = await trx.from('ota_devices').where('name', device).update(values)
      if (Number(updated) === 0) {
        await trx.table('ota_devices').insert({ name: device, ...values })
      }
    })
    return { device, received: new Date(values.reported_at).toISOString() }
  }

  /** Every device: channel, installed versions, last check, last error, and whether it is up to date. */
  async devices() {
    const rows = await this.db.from('ota_devices').orderBy('name')
    const fleet = []
    for (const row of rows) {
      const installed = JSON.parse(row.installed) as PackVersion[]
      const expected = await this.channels.updatesFor(deviceView(row.name, row), row.facility_id)
      const running = new Set(installed.map((pack) => `${pack.packId}@${pack.version}`))
      fleet.push({
        device: row.name as string,
        facility: row.facility_id as string | null,
        channel: expected.channel,
        appVersion: row.app_version as string | null,
        installed,
        expected: expected.packs.map(({ packId, version }) => ({ packId, version })),
        upToDate: expected.packs.every((pack) => running.has(`${pack.packId}@${pack.version}`)),
        heldBack: JSON.parse(row.held_back) as PackVersion[],
        lastCheckAt: iso(row.last_check_at),
        lastSuccessAt: iso(row.last_success_at),
        lastError: row.last_error_code
          ? { code: row.last_error_code as string, message: row.last_error_message as string }
          : null,
        reportedAt: iso(row.reported_at),
      })
    }
    return fleet
  }
}

function deviceView(name: string, row?: { installed?: string } | null): DeviceView {
  const installed = JSON.parse(row?.installed ?? '[]') as PackVersion[]
  return { name, installed: new Set(installed.map((pack) => `${pack.packId}@${pack.version}`)) }
}

function millis(value?: string | null): number | null {
  const time = value ? Date.parse(value) : Number.NaN
  return Number.isNaN(time) ? null : time
}

function iso(value: unknown): string | null {
  return value === null || value === undefined ? null : new Date(Number(value)).toISOString()
}
