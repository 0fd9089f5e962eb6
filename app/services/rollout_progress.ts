import { inject } from '@adonisjs/core'
import { DeviceOverviewService } from '#services/device_overview'
import { OtaChannelService } from '#services/ota_channel_service'
import { inRollout, type ChannelPack } from '#services/ota_rollout'

export interface PackProgress extends ChannelPack {
  /** Devices following the channel. */
  devices: number
  /** Devices the rollout selects (all of them without a rollout). */
  targeted: number
  /** Of those, devices that report running the version they are offered. */
  installed: number
}

export interface ChannelProgress {
  name: string
  description: string | null
  devices: string[]
  facilities: string[]
  packs: PackProgress[]
}

/**
 * Channels with how far each release has got: how many of the channel's devices a
 * rollout selects, and how many of them report running what they were offered.
 */
@inject()
export class RolloutProgressService {
  constructor(
    protected channels: OtaChannelService,
    protected devices: DeviceOverviewService
  ) {}

  async list(): Promise<ChannelProgress[]> {
    const [channels, fleet] = await Promise.all([this.channels.list(), this.devices.list()])
    const followers = new Map<string, typeof fleet>()
    for (const device of fleet.filter((each) => each.status !== 'revoked')) {
      const channel =
        device.channel ?? (await this.channels.channelOf(device.name, device.facilityIds[0]))
      followers.set(channel, [...(followers.get(channel) ?? []), device])
    }
    return channels.map((channel) => {
      const members = followers.get(channel.name) ?? []
      return {
        name: channel.name,
        description: channel.description,
        devices: channel.devices,
        facilities: channel.facilities,
        packs: channel.packs.map((entry) => {
          const views = members.map((device) => ({
            name: device.name,
            installed: new Set(device.installed.map((pack) => `${pack.packId}@${pack.version}`)),
          }))
          const targeted = entry.rollout
            ? views.filter((view) =>
                inRollout({ ...entry, rollout: { ...entry.rollout!, state: 'active' } }, view)
              )
            : views
          const offered = entry.rollout?.version ?? entry.version
          return {
            ...entry,
            devices: views.length,
            targeted: targeted.length,
            installed: targeted.filter((view) => view.installed.has(`${entry.packId}@${offered}`))
              .length,
          }
        }),
      }
    })
  }
}
