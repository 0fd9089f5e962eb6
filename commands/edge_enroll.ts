import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { EdgeEnrolmentError, EnrolmentService } from '#services/enrolment_service'

const ROOT_WORDS = {
  pinned: 'pinned the iCDR TUF root at',
  same: 'the OTA updater already trusts this TUF root at',
  kept: 'kept the TUF root the OTA updater already trusts (only its verified root chain replaces it) at',
  none: 'the iCDR has no OTA repository yet: no TUF root pinned; set OTA_TRUSTED_ROOT before the first update check, or enrol again later, for',
} as const

export default class EdgeEnroll extends BaseCommand {
  static commandName = 'edge:enroll'
  static description =
    'On an edge: trade a one-time enrolment code for device credentials, the subscription and the pinned TUF root'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'The iCDR base URL, e.g. https://icdr.example.org', required: true })
  declare icdr: string

  @flags.string({
    description: 'The one-time code an administrator created for this device',
    required: true,
  })
  declare code: string

  @flags.boolean({ description: 'Enrol again, replacing the credentials this edge holds' })
  declare force?: boolean

  async run() {
    const enrolment = await this.app.container.make(EnrolmentService)
    try {
      const { device, icdrUrl, root } = await enrolment.enrol({
        icdrUrl: this.icdr,
        code: this.code,
        force: this.force,
      })
      this.logger.success(`enrolled as device "${device.name}" (${device.role}) with ${icdrUrl}`)
      this.logger.info(`facilities: ${device.facilityIds.join(', ')}`)
      this.logger.info(`subscription: ${device.subscription ?? 'the facilities above'}`)
      this.logger.info('device token stored encrypted in the edge store; the iCDR client uses it')
      this.logger.info(`${ROOT_WORDS[root]} ${EnrolmentService.rootPath()}`)
    } catch (error) {
      if (!(error instanceof EdgeEnrolmentError)) {
        throw error
      }
      this.logger.error(error.message)
      this.exitCode = 1
    }
  }
}
