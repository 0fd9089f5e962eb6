import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ChangeFeed } from '#sync/change_feed'
import { SyncSubscriptions } from '#sync/sync_subscriptions'
import { changesValidator } from '#validators/sync'

/** A device's pull: its changes after a checkpoint (docs/sync.md). */
@inject()
export default class ChangesController {
  constructor(
    protected feed: ChangeFeed,
    protected subscriptions: SyncSubscriptions
  ) {}

  async index({ request, principal }: HttpContext) {
    const { after, limit } = await request.validateUsing(changesValidator, {
      data: request.qs(),
    })
    const subscription = await this.subscriptions.of(principal!)
    return this.feed.page(subscription, after, limit ?? 500)
  }
}
