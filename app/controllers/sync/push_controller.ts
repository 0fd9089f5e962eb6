import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DeviceSyncState } from '#sync/device_sync_state'
import { PushReceiver } from '#sync/push_receiver'
import { pushValidator } from '#validators/sync'

/** A device's push: its local changes, one answer per item (docs/sync.md). */
@inject()
export default class PushController {
  constructor(
    protected receiver: PushReceiver,
    protected devices: DeviceSyncState
  ) {}

  async store({ request, principal }: HttpContext) {
    const { items } = await request.validateUsing(pushValidator)
    const answers = await this.receiver.receive(principal!, items)
    await this.devices.recordPush(principal!.id)
    return { answers }
  }
}
