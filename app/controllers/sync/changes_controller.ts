import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ChangeFeed } from '#sync/change_feed'
import { DeviceSyncState } from '#sync/device_sync_state'
import { SyncSubscriptions } from '#sync/sync_subscriptions'
import { changesValidator } from '#validators/sync'

/** A device's pull: its changes after a checkpoint (docs/sync.md). */
@inject()
export default class ChangesController {
  constructor(
    protected feed: ChangeFeed,
    protected subscriptions: SyncSubscriptions,
    protected devices: DeviceSyncState
  ) {}

  async index({ request, principal }: HttpContext) {
    const { after, limit } = await request.validateUsing(changesValidator, {
      data: request.qs(),
    })
    const subscription = await this.subscriptions.of(principal!)
    const page = await this.feed.page(subscription, after, limit ?? 500)
    await this.devices.recordPull(principal!.id, page)
    return page
  }
}
