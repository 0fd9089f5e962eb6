import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AuditRepository } from '#services/audit_repository'
import { auditSearchValidator } from '#validators/identity'

/** Audit log search for administrators: by user, patient, event kind and time. */
@inject()
export default class AuditEventsController {
  constructor(protected audit: AuditRepository) {}

  async index({ request }: HttpContext) {
    const filters = await request.validateUsing(auditSearchValidator, { data: request.qs() })
    return { events: await this.audit.search(filters) }
  }
}
