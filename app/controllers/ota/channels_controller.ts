import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { OtaChannelService } from '#services/ota_channel_service'
import { OtaRequestError } from '#services/ota_request_error'
import { assignmentValidator, newChannelValidator } from '#validators/ota'

/** Release channels and who follows them. */
@inject()
export default class ChannelsController {
  constructor(protected channels: OtaChannelService) {}

  index() {
    return this.channels.list()
  }

  async store({ request, response }: HttpContext) {
    const { name, description } = await request.validateUsing(newChannelValidator)
    return response.created(await this.channels.create(name, description))
  }

  async assign({ request }: HttpContext) {
    const { device, facility, channel } = await request.validateUsing(assignmentValidator)
    if (Boolean(device) === Boolean(facility)) {
      throw OtaRequestError.of('E_OTA_INVALID_ASSIGNMENT', 'Give either a device or a facility')
    }
    return device
      ? this.channels.assign('device', device, channel)
      : this.channels.assign('facility', facility!, channel)
  }
}
