import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { AuditRecord } from '#interop/atna/audit_record'

export interface AuditSearch {
  user?: string
  patient?: string
  event?: string
  from?: Date
  to?: Date
  limit?: number
}

/**
 * The iCDR's audit repository (IHE ATNA Audit Record Repository): records
 * from this node and from every edge, stored once each (by record id), and
 * searchable by user, patient, event kind and time, newest first.
 */
@inject()
export class AuditRepository {
  constructor(protected db: Database) {}

  /** Returns false when the record was already stored (a spool sent it twice). */
  async store(
    record: AuditRecord,
    receivedFrom: string,
    trx?: TransactionClientContract
  ): Promise<boolean> {
    const client = trx ?? this.db
    const existing = await client.from('audit_events').where('uuid', record.id).first()
    if (existing) {
      return false
    }
    const requestor =
      record.activeParticipants.find((participant) => participant.isRequestor) ??
      record.activeParticipants[0]
    const patient = record.participantObjects.find((object) => object.roleCode === 1)
    await client.table('audit_events').insert({
      uuid: record.id,
      kind: record.kind,
      action: record.action,
      outcome: record.outcome,
      recorded_at: record.recordedAt.getTime(),
      user_id: requestor?.userId.slice(0, 200) ?? null,
      patient_id: patient?.id.slice(0, 64) ?? null,
      source_id: record.source.auditSourceId.slice(0, 200),
      received_from: receivedFrom.slice(0, 200),
      record: JSON.stringify(record),
    })
    return true
  }

  async search(filters: AuditSearch): Promise<AuditRecord[]> {
    const query = this.db
      .from('audit_events')
      .orderBy('recorded_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filters.limit ?? 100)
    if (filters.user) query.where('user_id', filters.user)
    if (filters.patient) query.where('patient_id', filters.patient)
    if (filters.event) query.where('kind', filters.event)
    if (filters.from) query.where('recorded_at', '>=', filters.from.getTime())
    if (filters.to) query.where('recorded_at', '<=', filters.to.getTime())
    const rows = await query
    return rows.map((row) => revive(row.record))
  }

  async find(id: string): Promise<AuditRecord | null> {
    const row = await this.db.from('audit_events').where('uuid', id).first()
    return row ? revive(row.record) : null
  }
}

function revive(text: string): AuditRecord {
  const record = JSON.parse(text)
  return { ...record, recordedAt: new Date(record.recordedAt) }
}
