import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { FhirError } from '#interop/fhir/fhir_error'
import { ChartService } from '#services/chart_service'

export interface ChartAlert {
  id: string
  message: string
  rule: string
  /** True when a person must acknowledge it; the chart keeps it until they do. */
  requiresAck: boolean
  createdAt: string | null
}

export interface DueList {
  asOf: string
  recommendations: Record<string, any>[]
  alerts: ChartAlert[]
}

/**
 * What the rule packs say about a patient when the chart opens: the CDS due
 * list computed now, and the alerts waiting for acknowledgement. A node with
 * a store computes them itself; the portal asks the iCDR.
 */
export abstract class ChartSignals {
  abstract dueList(patientId: string): Promise<DueList>
  abstract acknowledge(patientId: string, alertId: string, username: string): Promise<void>
}

/** The chart's signals on a node with its own store (iCDR, edges). */
@inject()
export class LocalChartSignals extends ChartSignals {
  constructor(
    protected charts: ChartService,
    protected db: Database
  ) {
    super()
  }

  /** Alerts rules stored for the patient that nobody acknowledged yet, newest first. */
  async storedAlerts(patientId: string): Promise<ChartAlert[]> {
    const stored = await this.db
      .from('rule_alerts')
      .where('patient_id', patientId)
      .whereNull('acknowledged_at')
      .orderBy('id', 'desc')
      .limit(50)
    return stored.map((row) => ({
      id: String(row.id),
      message: row.message,
      rule: `${row.pack_key}#${row.rule}`,
      requiresAck: Boolean(row.requires_ack),
      createdAt: new Date(Number(row.created_at)).toISOString(),
    }))
  }

  async dueList(patientId: string): Promise<DueList> {
    const due = await this.charts.dueList(patientId)
    return {
      asOf: due.asOf,
      recommendations: due.recommendations,
      alerts: [
        ...(await this.storedAlerts(patientId)),
        ...due.alerts.map((alert, index) => ({
          id: `now-${index}`,
          message: String((alert as { message?: unknown }).message ?? alert.rule),
          rule: `${alert.pack}#${alert.rule}`,
          requiresAck: false,
          createdAt: null,
        })),
      ],
    }
  }

  async acknowledge(patientId: string, alertId: string, username: string) {
    const updated = await this.db
      .from('rule_alerts')
      .where('id', Number(alertId) || 0)
      .where('patient_id', patientId)
      .whereNull('acknowledged_at')
      .update({ acknowledged_by: username, acknowledged_at: Date.now() })
    const count = Array.isArray(updated) ? updated[0] : updated
    if (!count) {
      throw FhirError.notFound('alert', alertId)
    }
  }
}
