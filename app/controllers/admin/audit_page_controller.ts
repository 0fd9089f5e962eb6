import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { errors } from '@vinejs/vine'
import { AUDIT_EVENT_KINDS } from '#interop/atna/audit_record'
import { AdminBackend } from '#services/admin_backend'
import { auditSearchFormValidator } from '#validators/admin_pages'
import { routeUrl } from '#services/page_urls'

const DAY_MS = 24 * 3600 * 1000

/** Audit log search by user, patient, event kind and days, newest first. */
@inject()
export default class AuditPageController {
  constructor(protected admin: AdminBackend) {}

  async index({ view, request, session, response, i18n }: HttpContext) {
    const query = request.qs()
    const filled = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''))
    try {
      const filters = await auditSearchFormValidator.validate(filled, {
        messagesProvider: i18n.createMessagesProvider(),
      })
      const events = await this.admin.auditEvents({
        ...filters,
        to: filters.to && new Date(filters.to.getTime() + DAY_MS - 1),
        limit: 200,
      })
      return view.render('pages/admin/audit', {
        events,
        query,
        kinds: Object.keys(AUDIT_EVENT_KINDS),
      })
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) {
        throw error
      }
      /* A search form is a GET: its criteria and messages come back like a refused POST's. */
      const bag: Record<string, string[]> = {}
      for (const { field, message } of error.messages as { field: string; message: string }[]) {
        bag[field] = [...(bag[field] ?? []), message]
      }
      session.flash('input', query)
      session.flash('inputErrorsBag', bag)
      return response.redirect().toPath(routeUrl('admin.audit.index'))
    }
  }
}
