import { inject } from '@adonisjs/core'
import { Logger } from '@adonisjs/core/logger'
import app from '@adonisjs/core/services/app'
import { Database } from '@adonisjs/lucid/database'
import { OtaError } from '#ota/ota_error'
import { AuditTrail, type RequestOrigin } from '#services/audit_trail'
import { OtaChannelService, type RolloutRequest } from '#services/ota_channel_service'
import { OtaRepositoryService } from '#services/ota_repository_service'
import { OtaRequestError } from '#services/ota_request_error'
import type { ChannelPack } from '#services/ota_rollout'
import type { Principal } from '#identity/principal'
import type { RulePack } from '#rules_engine/pack_types'
import type otaConfig from '#config/ota'

/** What became of a publish or retire on the OTA side. */
export type Delivery =
  { delivered: true; target: string; channels: string[] } | { delivered: false; reason: string }

interface Actor {
  principal: Principal
  origin: RequestOrigin
}

/**
 * Releases on the iCDR: a published pack becomes a signed `rulepacks/*` target and goes
 * to the channels configured for new versions; releases, rollouts, pauses and reverts
 * are audited like publishing. Nothing is released that is not a TUF target.
 */
@inject()
export class OtaReleaseService {
  constructor(
    protected db: Database,
    protected repository: OtaRepositoryService,
    protected channels: OtaChannelService,
    protected audit: AuditTrail,
    protected logger: Logger
  ) {}

  /** After authoring published a version: sign it and release it where new versions go. */
  async packPublished(id: string, version: string, actor: Actor): Promise<Delivery> {
    await this.#audit(actor, id, version, 'publish')
    return this.#deliver(id, version, this.#settings.releaseOnPublish)
  }

  /** After authoring retired a version on purpose: no channel offers it, TUF no longer lists it. */
  async packRetired(id: string, version: string, actor: Actor) {
    await this.#audit(actor, id, version, 'retire')
    await this.channels.withdraw(id, version)
    if (await this.repository.isReady()) {
      await this.repository.withdrawPack(id, version).catch((error) => {
        this.logger.error({ err: error, pack: `${id}@${version}` }, 'OTA target not withdrawn')
      })
    }
  }

  async release(
    channel: string,
    packId: string,
    version: string,
    request: RolloutRequest,
    actor: Actor
  ): Promise<ChannelPack> {
    await this.#sign(await this.#published(packId, version))
    const entry = await this.channels.release(channel, packId, version, request)
    await this.#audit(actor, packId, version, `release to ${channel}${describe(request)}`)
    return entry
  }

  async updateRollout(channel: string, packId: string, request: RolloutRequest, actor: Actor) {
    const entry = await this.channels.updateRollout(channel, packId, request)
    const version = entry.rollout?.version ?? entry.version!
    await this.#audit(actor, packId, version, `rollout in ${channel}${describe(request)}`)
    return entry
  }

  async pause(channel: string, packId: string, actor: Actor) {
    const entry = await this.channels.pause(channel, packId)
    await this.#audit(actor, packId, entry.rollout!.version, `pause rollout in ${channel}`)
    return entry
  }

  async resume(channel: string, packId: string, actor: Actor) {
    const entry = await this.channels.resume(channel, packId)
    await this.#audit(actor, packId, entry.rollout!.version, `resume rollout in ${channel}`)
    return entry
  }

  async revert(channel: string, packId: string, actor: Actor) {
    const before = await this.channels.channelPack(channel, packId)
    const entry = await this.channels.revert(channel, packId)
    const reverted = before.rollout?.version ?? before.version ?? before.previousVersion!
    await this.#audit(actor, packId, reverted, `revert in ${channel}`)
    return entry
  }

  /**
   * Catches up with packs that became active while the repository was not there
   * (shipped packs imported at first boot, a publish before `ota:keys`): each is
   * signed, and released to the configured channels that have no entry for it yet.
   */
  async reconcile(): Promise<{ signed: string[]; released: string[] }> {
    const summary = { signed: [] as string[], released: [] as string[] }
    if (!(await this.repository.isReady())) {
      return summary
    }
    const targets = await this.repository.listTargets('rulepacks')
    const listed = new Set(targets.map((target) => target.path))
    const rows = await this.db.from('rule_packs').where('status', 'active').orderBy('pack_id')
    for (const row of rows) {
      const pack = JSON.parse(row.content) as RulePack
      const target = await this.repository.publishPack(pack)
      if (!listed.has(target.path)) {
        summary.signed.push(target.path)
      }
      const missing = await this.channels.channelsWithout(pack.id, this.#settings.releaseOnPublish)
      for (const channel of missing) {
        await this.channels.release(channel, pack.id, pack.version)
        summary.released.push(`${pack.id}@${pack.version} to ${channel}`)
      }
    }
    return summary
  }

  async #deliver(id: string, version: string, channels: string[]): Promise<Delivery> {
    if (!(await this.repository.isReady())) {
      const reason = OtaRequestError.notReady().message
      this.logger.warn({ pack: `${id}@${version}` }, `not delivered over the air: ${reason}`)
      return { delivered: false, reason }
    }
    try {
      const target = await this.repository.publishPack(await this.#published(id, version))
      const released: string[] = []
      for (const channel of channels) {
        if (await this.channels.exists(channel)) {
          await this.channels.release(channel, id, version)
          released.push(channel)
        }
      }
      return { delivered: true, target: target.path, channels: released }
    } catch (error) {
      this.logger.error({ err: error, pack: `${id}@${version}` }, 'not delivered over the air')
      return { delivered: false, reason: (error as Error).message }
    }
  }

  async #sign(pack: RulePack) {
    if (!(await this.repository.isReady())) {
      throw OtaRequestError.notReady()
    }
    try {
      await this.repository.publishPack(pack)
    } catch (error) {
      throw error instanceof OtaError ? OtaRequestError.fromOta(error) : error
    }
  }

  /** A version authoring published (active, or retired since), as it was published. */
  async #published(id: string, version: string): Promise<RulePack> {
    const row = await this.db
      .from('rule_packs')
      .where({ pack_id: id, version })
      .whereIn('status', ['active', 'retired'])
      .first()
    if (!row) {
      throw OtaRequestError.of(
        'E_OTA_PACK_NOT_PUBLISHED',
        `${id}@${version} has not been published on this iCDR`
      )
    }
    return JSON.parse(row.content) as RulePack
  }

  #audit(actor: Actor, id: string, version: string, action: string) {
    return this.audit.packPublished({
      principal: actor.principal,
      packKey: `${id}@${version}`,
      action,
      origin: actor.origin,
    })
  }

  get #settings() {
    return app.config.get<typeof otaConfig>('ota')
  }
}

function describe(request: RolloutRequest): string {
  const parts = [
    ...(request.percentage === undefined ? [] : [`${request.percentage}%`]),
    ...(request.devices?.length ? [`devices ${request.devices.join(', ')}`] : []),
  ]
  return parts.length > 0 ? ` (${parts.join(', ')})` : ''
}
