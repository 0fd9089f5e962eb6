import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ClinicalRecording } from '#services/clinical_recording'
import { localToday } from '#rules_engine/facts/clinical_dates'
import { backToForm, flashSaved } from '#services/form_rejection'
import { PatientRegistry } from '#services/patient_registry'
import { vitalsValidator } from '#validators/clinic'
import { routeUrl } from '#services/page_urls'

/** Recording a visit's measurements (weight, height, temperature, MUAC). */
export default class VitalsController {
  @inject()
  async create({ params, view }: HttpContext, registry: PatientRegistry) {
    const patient = await registry.find(params.id)
    return view.render('pages/clinic/vitals/create', { patient, today: localToday() })
  }

  @inject()
  async store(ctx: HttpContext, recording: ClinicalRecording) {
    const vitals = await ctx.request.validateUsing(vitalsValidator)
    try {
      const result = await recording.recordVitals(ctx.params.id, vitals, ctx.principal!)
      flashSaved(ctx, result.findings)
      return ctx.response.redirect().toPath(routeUrl('clinic.patients.show', { id: ctx.params.id }))
    } catch (error) {
      return backToForm(ctx, error, 'clinic.vitals.create', { id: ctx.params.id })
    }
  }
}
