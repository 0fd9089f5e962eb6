import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { FhirError } from '#interop/fhir/fhir_error'
import { toFhirAuditEvent } from '#interop/atna/fhir_audit_event'
import { AuditRepository, type AuditSearch } from '#services/audit_repository'
import { baseUrl } from '#services/fhir_http'

const SUPPORTED = ['patient', 'agent', 'altid', 'date', 'subtype', '_count'] as const

/**
 * The audit repository as FHIR R4 AuditEvent, read and search only: audit
 * records arrive over ATNA syslog, never through the FHIR API.
 * @see https://hl7.org/fhir/R4/auditevent.html#search
 */
@inject()
export class FhirAuditEvents {
  constructor(protected repository: AuditRepository) {}

  async read(id: string) {
    const record = await this.repository.find(id)
    if (!record) {
      throw FhirError.notFound('AuditEvent', id)
    }
    return toFhirAuditEvent(record)
  }

  async search(ctx: HttpContext, parameters: URLSearchParams) {
    const filters: AuditSearch = { limit: 100 }
    for (const [name, value] of parameters) {
      switch (name as (typeof SUPPORTED)[number]) {
        case 'patient':
          filters.patient = value.replace(/^Patient\//, '')
          break
        case 'agent':
        case 'altid':
          filters.user = value
          break
        case 'subtype':
          filters.event = value.split('|').at(-1)
          break
        case 'date':
          this.#date(filters, value)
          break
        case '_count':
          filters.limit = Math.min(500, Math.max(1, Number(value) || 100))
          break
        default:
          throw FhirError.badRequest(
            `AuditEvent search supports ${SUPPORTED.join(', ')}, not "${name}"`
          )
      }
    }
    const records = await this.repository.search(filters)
    const base = baseUrl(ctx)
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: records.length,
      link: [{ relation: 'self', url: `${base}/AuditEvent?${parameters}` }],
      entry: records.map((record) => ({
        fullUrl: `${base}/AuditEvent/${record.id}`,
        resource: toFhirAuditEvent(record),
        search: { mode: 'match' },
      })),
    }
  }

  #date(filters: AuditSearch, value: string) {
    const [, prefix = 'eq', text] = value.match(/^(ge|le|gt|lt|eq)?(.+)$/) ?? []
    const date = new Date(text)
    if (Number.isNaN(date.getTime())) {
      throw FhirError.badRequest(`date=${value} is not a date`)
    }
    if (prefix === 'ge' || prefix === 'gt' || prefix === 'eq') filters.from = date
    if (prefix === 'le' || prefix === 'lt' || prefix === 'eq') filters.to = date
  }
}
