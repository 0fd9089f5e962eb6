import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { EdgeEnrolmentError, EnrolmentService } from '#services/enrolment_service'
import { IcdrClient } from '#services/icdr_client'
import { backToForm, FormRejection } from '#services/form_rejection'
import { routeUrl } from '#services/page_urls'
import { SyncCentre } from '#sync/sync_centre'
import { setupValidator } from '#validators/setup'

/** Where each refusal of enrolment is shown on the form. */
const FIELD_OF = {
  E_ICDR_UNREACHABLE: 'icdrUrl',
  E_ENROLMENT_REFUSED: 'code',
  E_ALREADY_ENROLLED: 'code',
  E_NOT_AN_EDGE: 'code',
} as const satisfies Record<EdgeEnrolmentError['code'], string>

/** First-run set-up of a device shell: enrolment with the iCDR (start/routes/setup.ts). */
@inject()
export default class SetupController {
  constructor(
    protected icdr: IcdrClient,
    protected enrolment: EnrolmentService
  ) {}

  async show({ view, response }: HttpContext) {
    if (await this.icdr.isConfigured()) {
      return response.redirect().toPath(routeUrl('pages.login'))
    }
    return view.render('pages/setup/enrol')
  }

  @inject()
  async store(ctx: HttpContext, centre: SyncCentre) {
    if (await this.icdr.isConfigured()) {
      return ctx.response.redirect().toPath(routeUrl('pages.login'))
    }
    const { icdrUrl, code } = await ctx.request.validateUsing(setupValidator)
    try {
      const { device } = await this.enrolment.enrol({ icdrUrl, code })
      /* The first sync starts at once: the clinic's data arrives while the person logs in. */
      await centre.start()
      ctx.session.flash('success', ctx.i18n.t('setup.enrolled', { device: device.name }))
      return ctx.response.redirect().toPath(routeUrl('pages.login'))
    } catch (error) {
      const refusal =
        error instanceof EdgeEnrolmentError
          ? new FormRejection({ [FIELD_OF[error.code]]: [error.message] }, [])
          : error
      return backToForm(ctx, refusal, 'setup.show')
    }
  }
}
