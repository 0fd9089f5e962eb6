import { inject } from '@adonisjs/core'
import { HttpContext } from '@adonisjs/core/http'
import { FhirError, outcomeIssue } from '#interop/fhir/fhir_error'
import { AccessError } from '#identity/access_error'
import { ChartSignals, type ChartAlert, type DueList } from '#services/chart_signals'
import { IcdrClient } from '#services/icdr_client'
import { icdrTokenOf } from '#services/portal_tokens'

/**
 * A chart's due list on the portal: computed by the iCDR's CDS packs
 * (`GET /api/v1/patients/:id/due`), and the alerts waiting there for
 * acknowledgement, as the logged-in person, who acknowledges them there too.
 */
@inject()
export class IcdrChartSignals extends ChartSignals {
  constructor(
    protected icdr: IcdrClient,
    protected ctx: HttpContext
  ) {
    super()
  }

  async dueList(patientId: string): Promise<DueList> {
    const path = `/api/v1/patients/${encodeURIComponent(patientId)}`
    const [due, stored] = await Promise.all([
      this.#get<{
        asOf: string
        recommendations: Record<string, any>[]
        alerts: { pack: string; rule: string; message?: string }[]
      }>(`${path}/due`, 'the due list'),
      this.#get<ChartAlert[]>(`${path}/alerts`, 'the alerts'),
    ])
    return {
      asOf: due.asOf,
      recommendations: due.recommendations,
      alerts: [
        ...stored,
        ...due.alerts.map((alert, index) => ({
          id: `now-${index}`,
          message: alert.message ?? alert.rule,
          rule: `${alert.pack}#${alert.rule}`,
          requiresAck: false,
          createdAt: null,
        })),
      ],
    }
  }

  /** Acknowledged at the iCDR, as the person logged in: the iCDR records who. */
  async acknowledge(patientId: string, alertId: string): Promise<void> {
    const path = `/api/v1/patients/${encodeURIComponent(patientId)}/alerts/${encodeURIComponent(alertId)}/acknowledge`
    const response = await this.#fetch('POST', path, 'the acknowledgement')
    await response.body?.cancel()
    if (response.status === 404) {
      throw FhirError.notFound('alert', alertId)
    }
    if (!response.ok) {
      throw new FhirError('E_FHIR_PROCESSING', [
        outcomeIssue('processing', `The iCDR answered ${response.status} for the acknowledgement`),
      ])
    }
  }

  async #get<T>(path: string, what: string): Promise<T> {
    const response = await this.#fetch('GET', path, what)
    if (!response.ok) {
      await response.body?.cancel()
      throw new FhirError(response.status === 404 ? 'E_FHIR_NOT_FOUND' : 'E_FHIR_PROCESSING', [
        outcomeIssue('processing', `The iCDR answered ${response.status} for ${what}`),
      ])
    }
    return (await response.json()) as T
  }

  async #fetch(method: 'GET' | 'POST', path: string, what: string): Promise<Response> {
    const base = await this.icdr.baseUrl()
    const token = icdrTokenOf(this.ctx)
    if (!token) {
      throw AccessError.unauthenticated()
    }
    try {
      return await fetch(`${base}${path}`, {
        method,
        headers: { accept: 'application/json', authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      })
    } catch (error) {
      throw new FhirError('E_FHIR_PROCESSING', [
        outcomeIssue(
          'transient',
          `The iCDR cannot be reached for ${what}: ${(error as Error).message}`
        ),
      ])
    }
  }
}
