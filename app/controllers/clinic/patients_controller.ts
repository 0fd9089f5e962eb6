import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { GENDERS, IDENTIFIER_SYSTEMS } from '#services/clinic_codes'
import { backToForm } from '#services/form_rejection'
import { PatientRegistry } from '#services/patient_registry'
import { patientRegistrationValidator, patientSearchValidator } from '#validators/clinic'
import { routeUrl } from '#services/page_urls'

/** Finding a patient, and registering one. */
export default class PatientsController {
  @inject()
  async index({ request, view }: HttpContext, registry: PatientRegistry) {
    const criteria = await request.validateUsing(patientSearchValidator)
    const { searched, patients } = await registry.search(criteria)
    return view.render('pages/clinic/patients/index', {
      criteria: request.qs(),
      searched,
      patients,
    })
  }

  create({ view }: HttpContext) {
    return view.render('pages/clinic/patients/create', {
      genders: GENDERS,
      identifierSystems: Object.keys(IDENTIFIER_SYSTEMS),
    })
  }

  @inject()
  async store(ctx: HttpContext, registry: PatientRegistry) {
    const registration = await ctx.request.validateUsing(patientRegistrationValidator)
    try {
      const id = await registry.register(registration, ctx.principal!)
      ctx.session.flash('success', ctx.i18n.t('clinic.register.saved'))
      return ctx.response.redirect().toPath(routeUrl('clinic.patients.show', { id }))
    } catch (error) {
      return backToForm(ctx, error, 'clinic.patients.create')
    }
  }
}
