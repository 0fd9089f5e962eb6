import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { packTargetPath } from '#services/ota_repository_service'
import { OtaRequestError } from '#services/ota_request_error'
import { versionFor, type ChannelPack, type DeviceView, type Rollout } from '#services/ota_rollout'

/** Who a channel assignment is for. */
export const ASSIGNMENT_SUBJECTS = {
  device: 'one device, by the name of its principal on the iCDR',
  facility: 'every device serving a facility, unless the device has its own assignment',
} as const

export type AssignmentSubject = keyof typeof ASSIGNMENT_SUBJECTS

/** The channel of a device with no assignment of its own or of its facility. */
export const DEFAULT_CHANNEL = 'stable'

/** What a device should run: one entry per pack id offered to it. */
export interface DeviceUpdates {
  device: string
  channel: string
  packs: { packId: string; version: string; target: string }[]
}

export interface RolloutRequest {
  /** 0-100; 100 (or nothing at all) releases to the whole channel. */
  percentage?: number
  devices?: string[]
}

/**
 * Release channels on the iCDR (DESIGN.md section 4): which devices and facilities
 * follow which channel, the one version of each pack id a channel runs, and staged
 * rollouts of the next version. Answers each device which versions apply to it; the
 * bytes of those versions reach it only as TUF targets.
 */
@inject()
export class OtaChannelService {
  constructor(protected db: Database) {}

  async list() {
    const [channels, packs, assignments] = await Promise.all([
      this.db.from('ota_channels').orderBy('name'),
      this.db.from('ota_channel_packs').orderBy('pack_id'),
      this.db.from('ota_assignments').orderBy('subject'),
    ])
    return channels.map((channel) => ({
      name: channel.name as string,
      description: channel.description as string | null,
      packs: packs.filter((row) => row.channel === channel.name).map(channelPack),
      devices: assignments
        .filter((row) => row.channel === channel.name && row.subject_kind === 'device')
        .map((row) => row.subject as string),
      facilities: assignments
        .filter((row) => row.channel === channel.name && row.subject_kind === 'facility')
        .map((row) => row.subject as string),
    }))
  }

  async create(name: string, description?: string) {
    if (await this.db.from('ota_channels').where('name', name).first()) {
      throw OtaRequestError.of('E_OTA_CHANNEL_EXISTS', `The channel "${name}" exists`)
    }
    await this.db
      .table('ota_channels')
      .insert({ name, description: description ?? null, created_at: Date.now() })
    return { name, description: description ?? null }
  }

  async exists(name: string): Promise<boolean> {
    return Boolean(await this.db.from('ota_channels').where('name', name).first())
  }

  /** Puts a device or a facility on a channel; `channel: null` removes the assignment. */
  async assign(subject: AssignmentSubject, name: string, channel: string | null) {
    const where = { subject_kind: subject, subject: name }
    if (channel === null) {
      await this.db.from('ota_assignments').where(where).delete()
      return { [subject]: name, channel: await this.#fallback(subject, name) }
    }
    await this.#requireChannel(channel)
    await this.db.transaction(async (trx) => {
      const updated = await trx
        .from('ota_assignments')
        .where(where)
        .update({ channel, updated_at: Date.now() })
      if (Number(updated) === 0) {
        await trx.table('ota_assignments').insert({ ...where, channel, updated_at: Date.now() })
      }
    })
    return { [subject]: name, channel }
  }

  /** A device's own assignment, else its facility's, else the default channel. */
  async channelOf(device: string, facility?: string | null): Promise<string> {
    const rows = await this.db
      .from('ota_assignments')
      .where((query) => {
        query.where({ subject_kind: 'device', subject: device })
        if (facility) {
          query.orWhere((inner) => inner.where({ subject_kind: 'facility', subject: facility }))
        }
      })
      .select('subject_kind', 'channel')
    const own = rows.find((row) => row.subject_kind === 'device')
    return (own ?? rows[0])?.channel ?? DEFAULT_CHANNEL
  }

  async channelPack(channel: string, packId: string): Promise<ChannelPack> {
    await this.#requireChannel(channel)
    const row = await this.db.from('ota_channel_packs').where({ channel, pack_id: packId }).first()
    return row ? channelPack(row) : emptyEntry(channel, packId)
  }

  /** The versions that apply to a device: the rollout decides, TUF delivers. */
  async updatesFor(device: DeviceView, facility?: string | null): Promise<DeviceUpdates> {
    const channel = await this.channelOf(device.name, facility)
    const rows = await this.db
      .from('ota_channel_packs')
      .where('channel', channel)
      .orderBy('pack_id')
    const packs = rows.flatMap((row) => {
      const version = versionFor(channelPack(row), device)
      return version
        ? [{ packId: row.pack_id, version, target: packTargetPath(row.pack_id, version) }]
        : []
    })
    return { device: device.name, channel, packs }
  }

  /**
   * Releases a version: to the whole channel (it becomes the channel's version and the
   * one before it what a revert goes back to), or as a staged rollout to a share or a
   * list of its devices.
   */
  release(channel: string, packId: string, version: string, request: RolloutRequest = {}) {
    return this.#change(channel, packId, (entry) => {
      const whole = (request.percentage ?? 100) >= 100 && !request.devices?.length
      if (whole) {
        if (entry.version === version) {
          return { ...entry, rollout: null }
        }
        return { ...entry, version, previousVersion: entry.version, rollout: null }
      }
      if (entry.version === version) {
        throw OtaRequestError.of(
          'E_OTA_ALREADY_RELEASED',
          `${packId}@${version} is already what the whole ${channel} channel runs`
        )
      }
      const rollout: Rollout = {
        version,
        percentage: request.percentage ?? 0,
        devices: [...new Set(request.devices ?? [])],
        state: 'active',
      }
      return { ...entry, rollout }
    })
  }

  /** Widens or narrows a rollout; at 100% it becomes the channel's version. */
  updateRollout(channel: string, packId: string, request: RolloutRequest) {
    return this.#change(channel, packId, (entry) => {
      const rollout = requireRollout(entry)
      const percentage = request.percentage ?? rollout.percentage
      if (percentage >= 100) {
        return { ...entry, version: rollout.version, previousVersion: entry.version, rollout: null }
      }
      const devices = request.devices ?? rollout.devices
      return { ...entry, rollout: { ...rollout, percentage, devices: [...new Set(devices)] } }
    })
  }

  pause(channel: string, packId: string) {
    return this.#change(channel, packId, (entry) => ({
      ...entry,
      rollout: { ...requireRollout(entry), state: 'paused' },
    }))
  }

  resume(channel: string, packId: string) {
    return this.#change(channel, packId, (entry) => ({
      ...entry,
      rollout: { ...requireRollout(entry), state: 'active' },
    }))
  }

  /**
   * Takes back the last release: a rollout in progress ends and its devices return to
   * the channel's version; otherwise the channel returns to its previous version.
   */
  revert(channel: string, packId: string) {
    return this.#change(channel, packId, (entry) => {
      if (entry.rollout) {
        return { ...entry, rollout: null }
      }
      if (!entry.previousVersion) {
        throw OtaRequestError.of(
          'E_OTA_NOTHING_TO_REVERT',
          `The ${channel} channel has no earlier version of ${packId} to return to`
        )
      }
      return { ...entry, version: entry.previousVersion, previousVersion: null }
    })
  }

  /** A version that may no longer run (retired on purpose) leaves every channel. */
  async withdraw(packId: string, version: string) {
    const rows = await this.db.from('ota_channel_packs').where('pack_id', packId)
    for (const row of rows) {
      await this.#change(row.channel, packId, (entry) => ({
        ...entry,
        version: entry.version === version ? null : entry.version,
        previousVersion: entry.previousVersion === version ? null : entry.previousVersion,
        rollout: entry.rollout?.version === version ? null : entry.rollout,
      }))
    }
  }

  /** Channels with no entry at all for a pack id, of those given. */
  async channelsWithout(packId: string, channels: string[]): Promise<string[]> {
    const rows = await this.db
      .from('ota_channel_packs')
      .where('pack_id', packId)
      .whereIn('channel', channels)
      .select('channel')
    const present = new Set(rows.map((row) => row.channel))
    const existing = await this.db.from('ota_channels').whereIn('name', channels).select('name')
    return existing.map((row) => row.name as string).filter((name) => !present.has(name))
  }

  async #change(
    channel: string,
    packId: string,
    change: (entry: ChannelPack) => ChannelPack
  ): Promise<ChannelPack> {
    await this.#requireChannel(channel)
    return this.db.transaction(async (trx) => {
      const where = { channel, pack_id: packId }
      const row = await trx.from('ota_channel_packs').where(where).forUpdate().first()
      const next = change(row ? channelPack(row) : emptyEntry(channel, packId))
      await save(trx, next, Boolean(row))
      return next
    })
  }

  async #requireChannel(channel: string) {
    if (!(await this.exists(channel))) {
      throw OtaRequestError.of('E_OTA_CHANNEL_NOT_FOUND', `There is no channel "${channel}"`)
    }
  }

  async #fallback(subject: AssignmentSubject, name: string) {
    return subject === 'device' ? this.channelOf(name) : DEFAULT_CHANNEL
  }
}

function requireRollout(entry: ChannelPack): Rollout {
  if (!entry.rollout) {
    throw OtaRequestError.of(
      'E_OTA_NO_ROLLOUT',
      `No rollout of ${entry.packId} is in progress in the ${entry.channel} channel`
    )
  }
  return entry.rollout
}

function emptyEntry(channel: string, packId: string): ChannelPack {
  return { channel, packId, version: null, previousVersion: null, rollout: null }
}

function channelPack(row: Record<string, any>): ChannelPack {
  return {
    channel: row.channel,
    packId: row.pack_id,
    version: row.version ?? null,
    previousVersion: row.previous_version ?? null,
    rollout: row.rollout_version
      ? {
          version: row.rollout_version,
          percentage: Number(row.rollout_percentage ?? 0),
          devices: JSON.parse(row.rollout_devices ?? '[]'),
          state: row.rollout_state ?? 'active',
        }
      : null,
  }
}

async function save(client: QueryClientContract, entry: ChannelPack, exists: boolean) {
  const values = {
    version: entry.version,
    previous_version: entry.previousVersion,
    rollout_version: entry.rollout?.version ?? null,
    rollout_percentage: entry.rollout?.percentage ?? null,
    rollout_devices: entry.rollout ? JSON.stringify(entry.rollout.devices) : null,
    rollout_state: entry.rollout?.state ?? null,
    updated_at: Date.now(),
  }
  const where = { channel: entry.channel, pack_id: entry.packId }
  if (exists) {
    await client.from('ota_channel_packs').where(where).update(values)
  } else {
    await client.table('ota_channel_packs').insert({ ...where, ...values })
  }
}
