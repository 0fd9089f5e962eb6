import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { localToday } from '#rules_engine/facts/clinical_dates'
import { VACCINES } from '#services/clinic_codes'
import { ClinicalRecording } from '#services/clinical_recording'
import { backToForm, flashSaved } from '#services/form_rejection'
import { PatientRegistry } from '#services/patient_registry'
import { immunizationValidator } from '#validators/clinic'
import { routeUrl } from '#services/page_urls'

/** Recording a vaccine given. */
export default class ImmunizationsController {
  @inject()
  async create({ params, request, view }: HttpContext, registry: PatientRegistry) {
    const patient = await registry.find(params.id)
    const vaccines = Object.entries(VACCINES).map(([value, label]) => ({ value, label }))
    return view.render('pages/clinic/immunizations/create', {
      patient,
      vaccines,
      today: localToday(),
      proposed: request.qs().vaccine ?? '',
    })
  }

  @inject()
  async store(ctx: HttpContext, recording: ClinicalRecording) {
    const immunization = await ctx.request.validateUsing(immunizationValidator)
    try {
      const result = await recording.recordImmunization(ctx.params.id, immunization, ctx.principal!)
      flashSaved(ctx, result.findings)
      return ctx.response.redirect().toPath(routeUrl('clinic.patients.show', { id: ctx.params.id }))
    } catch (error) {
      return backToForm(ctx, error, 'clinic.immunizations.create', { id: ctx.params.id })
    }
  }
}
