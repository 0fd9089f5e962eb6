import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { Principal } from '#identity/principal'
import { subscriptionOf, type Subscription } from '#sync/subscription'

/**
 * The subscription a caller of the sync API pulls with: an enrolled device's
 * own (its facilities and options, re-read at each request so an
 * administrator's change applies at once); everything for an API client with
 * the `device` scope, which stands for an edge configured by hand.
 */
@inject()
export class SyncSubscriptions {
  constructor(protected db: Database) {}

  async of(principal: Principal): Promise<Subscription> {
    if (principal.kind !== 'device') {
      return { facilityIds: null, resourceTypes: null }
    }
    const device = await this.db.from('devices').where('name', principal.id).first()
    return subscriptionOf({
      facilityIds: JSON.parse(device.facility_ids),
      subscription: device.subscription,
    })
  }
}
