import { readFileSync } from 'node:fs'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import { Database } from '@adonisjs/lucid/database'
import type { Hl7Message } from '@medplum/core'
import { buildAck, buildRejection } from '#interop/hl7v2/ack_builder'
import { hasErrors, issue, type Hl7Issue, type Hl7Location } from '#interop/hl7v2/hl7_issue'
import { routeMessage } from '#interop/hl7v2/hl7_message_router'
import { buildRspK22 } from '#interop/hl7v2/rsp_builder'
import type { PdqQuery } from '#interop/hl7v2/qbp_query'
import { FhirError } from '#interop/fhir/fhir_error'
import { parseSearchQuery } from '#interop/fhir/search_query'
import { LocalClinicalRepository } from '#services/local_clinical_repository'
import type { Principal } from '#services/save_hooks'

export interface Hl7Sender {
  remoteAddress?: string
  peerCN?: string
}

const LOCATIONS = Object.entries(
  JSON.parse(readFileSync(app.makePath('resources/hl7v2/fhir_locations.json'), 'utf8'))
    .locations as Record<string, Hl7Location>
).sort(([a], [b]) => b.length - a.length)

/**
 * What the gateway does with one HL7v2 message (DESIGN.md section 7): map it
 * to FHIR, write every resource through the save pipeline in one transaction
 * (so the rules run as for any other entry point and a refusal stores
 * nothing), then answer the ACK that says what happened: AA stored, AE with
 * ERR segments naming the rule or the field, AR for what is not supported.
 * A message sent again (same sender and MSH-10) gets the same ACK and is not
 * stored twice.
 */
@inject()
export class Hl7InboundService {
  constructor(
    protected db: Database,
    /** The local store: a message's resources are written in one transaction. */
    protected repository: LocalClinicalRepository
  ) {}

  async handle(text: string, from: Hl7Sender = {}): Promise<string> {
    const routed = routeMessage(text)
    if (routed.kind === 'rejected') {
      return routed.message
        ? buildAck(routed.message, { code: 'AR', errors: routed.issues })
        : buildRejection(text, routed.issues[0])
    }
    const { message } = routed
    const sender = senderOf(message)
    const controlId = message.header.getComponent(10, 1)
    const earlier = await this.db
      .from('hl7_messages')
      .where('sender', sender)
      .where('control_id', controlId)
      .first()
    if (earlier) {
      return earlier.ack
    }
    const ack =
      routed.kind === 'query'
        ? await this.#query(message, routed.query, routed.issues)
        : await this.#store(message, routed.result, sender, from)
    await this.#remember(sender, controlId, routed.messageType, ack)
    return ack
  }

  async #store(
    message: Hl7Message,
    result: {
      resources: any[]
      deletes: Array<{ resourceType: string; id: string }>
      issues: Hl7Issue[]
    },
    sender: string,
    from: Hl7Sender
  ): Promise<string> {
    if (hasErrors(result.issues)) {
      return buildAck(message, { code: 'AE', errors: result.issues })
    }
    const principal: Principal = {
      kind: 'system',
      id: from.peerCN ?? sender,
      name: `HL7v2 ${sender}${from.remoteAddress ? ` at ${from.remoteAddress}` : ''}`,
    }
    const warnings: Hl7Issue[] = [...result.issues]
    let current: string | undefined
    try {
      await this.db.transaction(async (trx) => {
        for (const resource of result.resources) {
          current = resource.resourceType
          const outcome = await this.repository.update(
            resource.resourceType,
            resource.id,
            { resource, preserved: resource },
            { source: 'hl7v2', principal },
            trx
          )
          for (const note of outcome.notes ?? []) {
            warnings.push(issue('W', '0', locationOf(resource.resourceType), note.message))
          }
        }
        for (const target of result.deletes) {
          await this.repository.delete(
            target.resourceType,
            target.id,
            { source: 'hl7v2', principal },
            trx
          )
        }
      })
    } catch (error) {
      return buildAck(message, {
        code: 'AE',
        errors: [...warnings, ...refusalIssues(error, current)],
      })
    }
    return buildAck(message, { code: 'AA', errors: warnings })
  }

  async #query(message: Hl7Message, query: PdqQuery, issues: Hl7Issue[]) {
    if (hasErrors(issues)) {
      return buildAck(message, { code: 'AE', errors: issues })
    }
    const parameters = new URLSearchParams({ _count: String(Math.min(query.limit ?? 50, 100)) })
    if (query.family) parameters.set('family', query.family)
    if (query.given) parameters.set('given', query.given)
    if (query.birthDate) parameters.set('birthdate', query.birthDate)
    if (query.gender) parameters.set('gender', query.gender)
    if (query.identifier) {
      const { system, value } = query.identifier
      parameters.set('identifier', system ? `${system}|${value}` : value)
    }
    const page = await this.repository.search(parseSearchQuery('Patient', parameters))
    const patients = page.matches.map((match) => JSON.parse(match.content))
    return buildRspK22(message, patients, {
      queryTag: query.queryTag,
      status: patients.length > 0 ? 'OK' : 'NF',
    })
  }

  async #remember(sender: string, controlId: string, messageType: string, ack: string) {
    const ackCode =
      ack
        .split('\r')
        .find((segment) => segment.startsWith('MSA'))
        ?.split('|')[1] ?? 'AA'
    await this.db
      .table('hl7_messages')
      .insert({
        sender: sender.slice(0, 200),
        control_id: controlId.slice(0, 64),
        message_type: messageType.slice(0, 16),
        ack_code: ackCode.slice(0, 2),
        ack,
        received_at: Date.now(),
      })
      .catch((error: unknown) => {
        /* The same message on two connections at once: the first one's row stands. */
        if (!/unique|duplicate/i.test(String((error as Error).message))) throw error
      })
  }
}

function senderOf(message: Hl7Message) {
  return `${message.header.getField(3)?.toString() ?? ''}^${message.header.getField(4)?.toString() ?? ''}`
}

function locationOf(expression?: string): Hl7Location | undefined {
  if (!expression) return undefined
  return LOCATIONS.find(
    ([path]) =>
      expression === path || expression.startsWith(`${path}.`) || expression.startsWith(path)
  )?.[1]
}

/** A refusal of the save pipeline (a business rule, validation, a conflict) as ERR segments. */
function refusalIssues(error: unknown, resourceType?: string): Hl7Issue[] {
  if (!(error instanceof FhirError)) {
    return [issue('E', '207', undefined, 'The message could not be stored; send it again later')]
  }
  return error.issues.map((outcomeIssue) => {
    const expression = outcomeIssue.expression?.[0]
    const code = outcomeIssue.code === 'invalid' || outcomeIssue.code === 'value' ? '102' : '207'
    return issue(
      outcomeIssue.severity === 'warning' ? 'W' : 'E',
      code,
      locationOf(expression) ?? locationOf(resourceType),
      outcomeIssue.diagnostics ?? error.message
    )
  })
}
