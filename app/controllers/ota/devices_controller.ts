import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { OtaFleetService } from '#services/ota_fleet_service'
import { deviceReportValidator, updatesQueryValidator } from '#validators/ota'

/** Edges asking which versions apply to them and reporting back; the fleet view. */
@inject()
export default class DevicesController {
  constructor(protected fleet: OtaFleetService) {}

  async updates({ request, principal }: HttpContext) {
    const { facility } = await updatesQueryValidator.validate(request.qs())
    return this.fleet.updatesFor(principal!.name, facility)
  }

  async report({ request, principal }: HttpContext) {
    const report = await request.validateUsing(deviceReportValidator)
    return this.fleet.report(principal!.name, report)
  }

  index() {
    return this.fleet.devices()
  }
}
