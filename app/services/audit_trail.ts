import { createHash } from 'node:crypto'
import { hostname } from 'node:os'
import app from '@adonisjs/core/services/app'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  createAuditRecord,
  patientObject,
  queryObject,
  resourceObject,
  type ActiveParticipant,
  type AuditEventKind,
  type AuditOutcome,
  type AuditRecord,
  type ParticipantObject,
} from '#interop/atna/audit_record'
import type { LoginMode, Principal } from '#identity/principal'
import type auditConfig from '#config/audit'

/** Where a request came from, as the audit trail records it. */
export interface RequestOrigin {
  remoteAddress?: string
}

export function originOf(ctx: HttpContext): RequestOrigin {
  return { remoteAddress: ctx.request.ip() }
}

/**
 * Where this node's audit records go (DESIGN.md section 6): the iCDR stores
 * them in its own audit repository; edges spool them durably and forward
 * them over syslog/TLS; the portal forwards them at once.
 */
export abstract class AuditSink {
  /** `trx`: write with the change being audited, so neither is stored without the other. */
  abstract record(record: AuditRecord, trx?: TransactionClientContract): Promise<void>
}

/**
 * The security and patient-data events Outpost audits, in the words of the
 * code that raises them; each becomes one DICOM PS3.15 audit record.
 */
@inject()
export class AuditTrail {
  constructor(protected sink: AuditSink) {}

  login(event: {
    username: string
    outcome: 'success' | 'failure'
    mode: LoginMode
    origin: RequestOrigin
    reason?: string
  }) {
    return this.#write('login', {
      user: { userId: event.username, isRequestor: true },
      origin: event.origin,
      outcome: event.outcome === 'success' ? 0 : 4,
      description: [`${event.mode} login`, event.reason].filter(Boolean).join(': '),
    })
  }

  logout(event: { username: string; origin: RequestOrigin }) {
    return this.#write('logout', {
      user: { userId: event.username, isRequestor: true },
      origin: event.origin,
    })
  }

  lockout(event: { username: string; origin: RequestOrigin; until: Date; reportedBy?: string }) {
    return this.#write('lockout', {
      user: { userId: event.username, isRequestor: true },
      origin: event.origin,
      description: `locked until ${event.until.toISOString()}${event.reportedBy ? ` on ${event.reportedBy}` : ''}`,
    })
  }

  /** A create, read, update or delete of one resource in a patient's record. */
  patientRecord(
    event: {
      principal?: Actor
      action: 'create' | 'read' | 'update' | 'delete'
      reference: string
      patientId: string | null | undefined
      origin: RequestOrigin
    },
    trx?: TransactionClientContract
  ) {
    const record = this.#record(`patient-record-${event.action}`, {
      user: event.principal
        ? requestor(event.principal)
        : { userId: nodeUser(), isRequestor: true },
      origin: event.origin,
      objects: [
        ...(event.patientId ? [patientObject(event.patientId)] : []),
        resourceObject(event.reference),
      ],
    })
    return this.sink.record(record, trx)
  }

  query(event: {
    principal: Actor
    resourceType: string
    query: string
    patientId?: string | null
    origin: RequestOrigin
  }) {
    return this.#write('query', {
      user: requestor(event.principal),
      origin: event.origin,
      objects: [
        ...(event.patientId ? [patientObject(event.patientId)] : []),
        queryObject(event.resourceType, event.query),
      ],
    })
  }

  export(event: { principal: Principal; what: string; query: string; origin: RequestOrigin }) {
    return this.#write('export', {
      user: requestor(event.principal),
      origin: event.origin,
      objects: [queryObject(event.what, event.query)],
    })
  }

  packPublished(event: {
    principal: Principal
    packKey: string
    action: string
    origin: RequestOrigin
  }) {
    return this.#write('pack-publish', {
      user: requestor(event.principal),
      origin: event.origin,
      objects: [resourceObject(`RulePack/${event.packKey}`)],
      description: event.action,
    })
  }

  packInstalled(event: { packKey: string; outcome: 'success' | 'failure'; detail?: string }) {
    return this.#write('pack-install', {
      user: { userId: nodeUser(), isRequestor: false },
      origin: {},
      outcome: event.outcome === 'success' ? 0 : 8,
      objects: [resourceObject(`RulePack/${event.packKey}`)],
      description: event.detail,
    })
  }

  deviceEnrolment(event: {
    principal?: Principal
    device: string
    outcome: 'success' | 'failure'
    origin: RequestOrigin
    reason?: string
  }) {
    return this.#write('device-enrolment', {
      user: event.principal
        ? requestor(event.principal)
        : { userId: 'anonymous', isRequestor: true },
      origin: event.origin,
      outcome: event.outcome === 'success' ? 0 : 8,
      objects: [resourceObject(`Device/${event.device}`)],
      description: event.reason,
    })
  }

  shellSecretFailure(event: { origin: RequestOrigin; reason: string; url: string }) {
    return this.#write('shell-secret-failure', {
      user: { userId: 'unknown', isRequestor: true },
      origin: event.origin,
      objects: [resourceObject(event.url)],
      description: event.reason,
    })
  }

  /** Failed logins and lockouts an edge saw offline, audited when it reports them. */
  async edgeReports(
    device: Principal,
    reports: {
      id: number
      kind: 'failed-login' | 'lockout'
      username: string
      occurredAt: string
    }[],
    origin: RequestOrigin
  ) {
    for (const report of reports) {
      const kind = report.kind === 'lockout' ? 'lockout' : 'login'
      const record = this.#record(kind, {
        user: { userId: report.username, isRequestor: true },
        origin,
        outcome: report.kind === 'lockout' ? 8 : 4,
        description: `offline ${report.kind} reported by ${device.name}`,
      })
      record.recordedAt = new Date(report.occurredAt)
      /* A report sent twice (its acknowledgement lost) is stored once. */
      record.id = reportId(device.name, report.id)
      await this.sink.record(record)
    }
  }

  #write(kind: AuditEventKind, fields: RecordFields) {
    return this.sink.record(this.#record(kind, fields))
  }

  #record(kind: AuditEventKind, fields: RecordFields): AuditRecord {
    const settings = app.config.get<typeof auditConfig>('audit')
    return createAuditRecord(kind, {
      activeParticipants: [
        {
          ...fields.user,
          ...(fields.origin.remoteAddress
            ? { networkAccessPoint: fields.origin.remoteAddress }
            : {}),
        },
      ],
      source: { auditSourceId: settings.sourceId, enterpriseSiteId: settings.siteId, typeCode: 4 },
      participantObjects: fields.objects ?? [],
      ...(fields.outcome === undefined ? {} : { outcome: fields.outcome }),
      ...(fields.description ? { description: fields.description } : {}),
    })
  }
}

interface RecordFields {
  user: ActiveParticipant
  origin: RequestOrigin
  outcome?: AuditOutcome
  objects?: ParticipantObject[]
  description?: string
}

/** Whoever acted, as much as the caller knows of them. */
interface Actor {
  kind: string
  id: string
  name: string
}

function requestor(principal: Actor): ActiveParticipant {
  return {
    userId: principal.kind === 'user' ? principal.id : `${principal.kind}:${principal.name}`,
    userName: principal.name,
    isRequestor: true,
  }
}

function nodeUser() {
  return `${app.config.get<string>('outpost.role')}@${hostname()}`
}

function reportId(device: string, id: number) {
  const hex = createHash('sha256').update(`${device}:${id}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}
