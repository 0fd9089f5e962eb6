import { inject } from '@adonisjs/core'
import { HttpContext } from '@adonisjs/core/http'
import { FhirError, outcomeIssue } from '#interop/fhir/fhir_error'
import { AccessError } from '#identity/access_error'
import { ChartSignals, type DueList } from '#services/chart_signals'
import { IcdrClient } from '#services/icdr_client'
import { icdrTokenOf } from '#services/portal_tokens'

/**
 * A chart's due list on the portal: computed by the iCDR's CDS packs
 * (`GET /api/v1/patients/:id/due`), as the logged-in person. Stored alerts
 * live in each node's own store; the portal shows those the iCDR computes
 * when the chart opens.
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
    const base = await this.icdr.baseUrl()
    const token = icdrTokenOf(this.ctx)
    if (!token) {
      throw AccessError.unauthenticated()
    }
    let response: Response
    try {
      response = await fetch(`${base}/api/v1/patients/${encodeURIComponent(patientId)}/due`, {
        headers: { accept: 'application/json', authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      })
    } catch (error) {
      throw new FhirError('E_FHIR_PROCESSING', [
        outcomeIssue('transient', `The iCDR cannot be reached: ${(error as Error).message}`),
      ])
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new FhirError(response.status === 404 ? 'E_FHIR_NOT_FOUND' : 'E_FHIR_PROCESSING', [
        outcomeIssue('processing', `The iCDR answered ${response.status} for the due list`),
      ])
    }
    const due = (await response.json()) as {
      asOf: string
      recommendations: Record<string, any>[]
      alerts: { pack: string; rule: string; message?: string }[]
    }
    return {
      asOf: due.asOf,
      recommendations: due.recommendations,
      alerts: due.alerts.map((alert, index) => ({
        id: `now-${index}`,
        message: alert.message ?? alert.rule,
        rule: `${alert.pack}#${alert.rule}`,
        requiresAck: false,
        createdAt: null,
      })),
    }
  }

  async acknowledge(_patientId: string, alertId: string): Promise<void> {
    throw FhirError.notFound('alert', alertId)
  }
}
