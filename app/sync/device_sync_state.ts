import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { ChangePage } from '#sync/change_feed'

export interface DeviceSyncRecord {
  pulledAt: number | null
  pullCheckpoint: number | null
  /** The last time the device had pulled every change there was. */
  caughtUpAt: number | null
  pushedAt: number | null
}

/**
 * The sync hub's memory of each device (`sync_device_state`): administrators
 * see how far behind a device is (DESIGN.md section 8, sync lag).
 */
@inject()
export class DeviceSyncState {
  constructor(protected db: Database) {}

  async recordPull(device: string, page: ChangePage, now = Date.now()) {
    await this.#upsert(device, {
      pulled_at: now,
      pull_checkpoint: page.next,
      ...(page.remaining === 0 && { caught_up_at: now }),
    })
  }

  async recordPush(device: string, now = Date.now()) {
    await this.#upsert(device, { pushed_at: now })
  }

  async all(): Promise<Map<string, DeviceSyncRecord>> {
    const rows = await this.db.from('sync_device_state').select('*')
    const number = (value: unknown) => (value === null ? null : Number(value))
    return new Map(
      rows.map((row) => [
        row.device_name as string,
        {
          pulledAt: number(row.pulled_at),
          pullCheckpoint: number(row.pull_checkpoint),
          caughtUpAt: number(row.caught_up_at),
          pushedAt: number(row.pushed_at),
        },
      ])
    )
  }

  async #upsert(device: string, columns: Record<string, number>) {
    await this.db
      .table('sync_device_state')
      .insert({ device_name: device, ...columns })
      .onConflict('device_name')
      .merge(Object.keys(columns))
  }
}
