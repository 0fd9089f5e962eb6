import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import { DeviceOverviewService, type DeviceOverview } from '#services/device_overview'
import { OtaChannelService, type RolloutRequest } from '#services/ota_channel_service'
import { OtaRepositoryService } from '#services/ota_repository_service'
import { versionFor, type ChannelPack, type DeviceView } from '#services/ota_rollout'
import type otaConfig from '#config/ota'

export interface DeviceEffect {
  device: string
  facility: string | null
  /** The version the channel offers this device now; null: none. */
  runs: string | null
  /** Whether the release offers it the new version. */
  receives: boolean
}

export interface ChannelEffect {
  channel: string
  /** The whole channel, or a staged rollout. */
  whole: boolean
  percentage: number
  namedDevices: string[]
  /** What the channel's devices run now. */
  channelVersion: string | null
  devices: DeviceEffect[]
  reaching: number
}

export interface ReleasePreview {
  packId: string
  version: string
  /** Whether the iCDR can sign the version as a TUF target (otherwise nothing reaches any device). */
  otaReady: boolean
  channels: ChannelEffect[]
}

/**
 * What a publish or a release would do, said before it is done: for each channel it
 * goes to, which devices follow that channel and which of them would be offered the
 * version (the same bucket arithmetic the rollout uses when devices ask).
 */
@inject()
export class ReleasePreviewService {
  constructor(
    protected channels: OtaChannelService,
    protected devices: DeviceOverviewService,
    protected repository: OtaRepositoryService
  ) {}

  /** Publishing releases the version whole to the configured channels that exist. */
  async forPublish(packId: string, version: string): Promise<ReleasePreview> {
    const { releaseOnPublish } = app.config.get<typeof otaConfig>('ota')
    const names: string[] = []
    for (const channel of releaseOnPublish) {
      if (await this.channels.exists(channel)) {
        names.push(channel)
      }
    }
    return this.#preview(packId, version, names, {})
  }

  forRelease(channel: string, packId: string, version: string, request: RolloutRequest = {}) {
    return this.#preview(packId, version, [channel], request)
  }

  async #preview(
    packId: string,
    version: string,
    channelNames: string[],
    request: RolloutRequest
  ): Promise<ReleasePreview> {
    const devices = await this.devices.list()
    const fleet = devices.filter((device) => device.status !== 'revoked')
    const channels: ChannelEffect[] = []
    for (const channel of channelNames) {
      const current = await this.channels.channelPack(channel, packId)
      const next = released(current, version, request)
      const effects: DeviceEffect[] = []
      for (const device of fleet) {
        const facility = device.facilityIds[0] ?? null
        if ((await this.channels.channelOf(device.name, facility)) !== channel) {
          continue
        }
        const view = viewOf(device)
        effects.push({
          device: device.name,
          facility,
          runs: versionFor(current, view),
          receives: versionFor(next, view) === version,
        })
      }
      channels.push({
        channel,
        whole: next.rollout === null,
        percentage: next.rollout?.percentage ?? 100,
        namedDevices: next.rollout?.devices ?? [],
        channelVersion: current.version,
        devices: effects,
        reaching: effects.filter((effect) => effect.receives).length,
      })
    }
    return { packId, version, otaReady: await this.repository.isReady(), channels }
  }
}

/** The channel entry as `OtaChannelService.release` would leave it. */
function released(entry: ChannelPack, version: string, request: RolloutRequest): ChannelPack {
  const whole = (request.percentage ?? 100) >= 100 && !request.devices?.length
  if (whole) {
    return { ...entry, version, previousVersion: entry.version, rollout: null }
  }
  return {
    ...entry,
    rollout: {
      version,
      percentage: request.percentage ?? 0,
      devices: [...new Set(request.devices ?? [])],
      state: 'active',
    },
  }
}

function viewOf(device: DeviceOverview): DeviceView {
  return {
    name: device.name,
    installed: new Set(device.installed.map((pack) => `${pack.packId}@${pack.version}`)),
  }
}
