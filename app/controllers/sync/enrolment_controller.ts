import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { originOf } from '#services/audit_trail'
import { DeviceService } from '#services/device_service'
import { enrolValidator } from '#validators/devices'

/** An edge trading its one-time code for device credentials. */
@inject()
export default class EnrolmentController {
  constructor(protected devices: DeviceService) {}

  async store(ctx: HttpContext) {
    const { code } = await ctx.request.validateUsing(enrolValidator)
    return ctx.response.created(await this.devices.enrol(code, originOf(ctx)))
  }
}
