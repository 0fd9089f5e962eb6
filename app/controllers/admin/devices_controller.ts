import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DeviceService } from '#services/device_service'
import { newDeviceValidator } from '#validators/devices'

/** Devices on the iCDR: created with a one-time enrolment code, listed, revoked. */
@inject()
export default class DevicesController {
  constructor(protected devices: DeviceService) {}

  index() {
    return this.devices.list()
  }

  async store({ request, response, principal }: HttpContext) {
    const device = await request.validateUsing(newDeviceValidator)
    return response.created(await this.devices.create(device, principal!))
  }

  async revoke({ response, params }: HttpContext) {
    const found = await this.devices.revoke(params.name)
    return found
      ? response.noContent()
      : response.notFound({
          error: { code: 'E_DEVICE_NOT_FOUND', message: `No device "${params.name}"` },
        })
  }
}
