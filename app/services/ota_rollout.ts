import { createHash } from 'node:crypto'

/** What a staged rollout does while it lasts. */
export const ROLLOUT_STATES = {
  active: 'devices in the rollout get the new version',
  paused: 'devices that already installed the new version keep it; no other device gets it',
} as const

export type RolloutState = keyof typeof ROLLOUT_STATES

export interface Rollout {
  version: string
  /** 0-99: devices whose bucket is below it get the version. */
  percentage: number
  /** Device names that get the version whatever their bucket. */
  devices: string[]
  state: RolloutState
}

/** One pack id in one channel: the version the channel runs and a newer one on its way. */
export interface ChannelPack {
  channel: string
  packId: string
  /** What every device of the channel runs; null: the pack is not offered. */
  version: string | null
  /** What a revert goes back to. */
  previousVersion: string | null
  rollout: Rollout | null
}

export interface DeviceView {
  name: string
  /** `packId@version` of what the device last reported installed. */
  installed: ReadonlySet<string>
}

/**
 * A device's bucket for a pack, 0-99, from a hash of both: stable across checks and
 * processes, so raising a percentage only ever adds devices, and independent between
 * packs, so the same devices are not always first.
 */
export function rolloutBucket(packId: string, device: string): number {
  const digest = createHash('sha256').update(`${packId}\n${device}`).digest()
  return digest.readUInt32BE(0) % 100
}

export function inRollout(entry: ChannelPack, device: DeviceView): boolean {
  const rollout = entry.rollout
  if (!rollout) {
    return false
  }
  const selected =
    rollout.devices.includes(device.name) ||
    rolloutBucket(entry.packId, device.name) < rollout.percentage
  switch (rollout.state) {
    case 'active':
      return selected
    case 'paused':
      return selected && device.installed.has(`${entry.packId}@${rollout.version}`)
    default:
      return rollout.state satisfies never
  }
}

/** The version of a pack this device should run, or null when none is offered to it. */
export function versionFor(entry: ChannelPack, device: DeviceView): string | null {
  return inRollout(entry, device) ? entry.rollout!.version : entry.version
}
