import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminBackend } from '#services/admin_backend'
import { originOf } from '#services/audit_trail'
import { routeUrl } from '#services/page_urls'
import { FhirError } from '#interop/fhir/fhir_error'
import { ConflictError } from '#sync/conflict_queue'
import { conflictChoiceValidator, conflictListValidator } from '#validators/admin_pages'

/** The iCDR's sync conflict queue: both sides of each record, kept until a person decides. */
@inject()
export default class ConflictsPageController {
  constructor(protected admin: AdminBackend) {}

  async index({ view, request }: HttpContext) {
    const { status = 'open' } = await conflictListValidator.validate(request.qs())
    const conflicts = await this.admin.conflicts(status)
    return view.render('pages/admin/conflicts', { conflicts, status })
  }

  async resolve(ctx: HttpContext) {
    const { choice, merged } = await ctx.request.validateUsing(conflictChoiceValidator)
    const id = Number(ctx.params.id)
    try {
      await this.admin.resolveConflict(
        id,
        { choice, merged: merged ? JSON.parse(merged) : undefined },
        { principal: ctx.principal!, origin: originOf(ctx) }
      )
      ctx.session.flash('success', ctx.i18n.t(`admin.conflicts.resolved.${choice}`, { id }))
    } catch (error) {
      /* A merged version that is not a valid resource is refused like a form, nothing stored. */
      if (!(error instanceof ConflictError) && !(error instanceof FhirError)) {
        throw error
      }
      ctx.session.flash('error', error.message)
    }
    return ctx.response.redirect().toPath(routeUrl('admin.conflicts.index'))
  }
}
