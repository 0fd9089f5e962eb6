import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { isTrue, isoInstant } from '#services/fhir_version'
import type { Subscription } from '#sync/subscription'

/** One version as a pull sends it; `content` is the stored JSON text, null for a delete. */
export interface Change {
  seq: number
  type: string
  id: string
  versionId: number
  lastUpdated: string
  deleted: boolean
  content: string | null
}

export interface ChangePage {
  changes: Change[]
  /** The checkpoint to store with this page and send with the next request. */
  next: number
  /** Changes still to pull after this page. */
  remaining: number
}

export const MAX_PAGE_SIZE = 1000

const COLUMNS = ['seq', 'resource_type', 'id', 'version_id', 'last_updated', 'deleted', 'content']

/**
 * The iCDR's side of a pull (DESIGN.md section 5): a device's changes after
 * its checkpoint, in change sequence order. Sequence numbers follow commit
 * order (`FhirStore.write` takes them last, under the counter's row lock), so
 * a checkpoint never skips a change that commits later.
 *
 * Rule outputs (DetectedIssue, proposals) are not sent: every node derives
 * them from the records with the same packs. When a patient moves into a
 * subscribed facility, the page that carries the move also carries their
 * record as it was before, every version in order.
 */
@inject()
export class ChangeFeed {
  constructor(protected db: Database) {}

  async page(subscription: Subscription, after: number, limit: number): Promise<ChangePage> {
    const client = this.db.connection()
    const facilities = subscription.facilityIds
      ? await this.catchment(client, subscription.facilityIds)
      : null
    const rows = await this.#matching(client, subscription, facilities, after)
      .select(COLUMNS)
      .orderBy('seq', 'asc')
      .limit(Math.min(Math.max(limit, 1), MAX_PAGE_SIZE))
    const changes = rows.map(toChange)
    const next = changes.at(-1)?.seq ?? after
    if (facilities && changes.length > 0) {
      changes.unshift(...(await this.#arrivals(client, subscription, facilities, after, next)))
    }
    const [{ total }] = await this.#matching(client, subscription, facilities, next).count(
      '* as total'
    )
    return { changes: dedupe(changes), next, remaining: Number(total) }
  }

  /**
   * The facilities and every Organization under them (`partOf`, any depth).
   * https://hl7.org/fhir/R4/organization-definitions.html#Organization.partOf
   */
  async catchment(client: QueryClientContract, facilityIds: string[]): Promise<string[]> {
    const rows = await client
      .from('fhir_resources')
      .where({ resource_type: 'Organization', deleted: false })
      .select('id', 'content')
    const parentOf = new Map<string, string>()
    for (const row of rows) {
      const reference = JSON.parse(row.content).partOf?.reference
      const parent = typeof reference === 'string' ? /Organization\/([^/]+)$/.exec(reference) : null
      if (parent) {
        parentOf.set(row.id, parent[1])
      }
    }
    const wanted = new Set(facilityIds)
    const inCatchment = (id: string, depth = 0): boolean =>
      wanted.has(id) ||
      (depth < 32 && parentOf.has(id) && inCatchment(parentOf.get(id)!, depth + 1))
    return [...new Set([...facilityIds, ...[...parentOf.keys()].filter((id) => inCatchment(id))])]
  }

  #matching(
    client: QueryClientContract,
    subscription: Subscription,
    facilities: string[] | null,
    after: number
  ): DatabaseQueryBuilderContract {
    const query = client
      .from('fhir_resource_versions')
      .where('seq', '>', after)
      .where('derived', false)
    if (subscription.resourceTypes) {
      query.whereIn('resource_type', subscription.resourceTypes)
    }
    if (facilities) {
      query.where((scope) =>
        scope
          .whereNull('patient_id')
          .orWhereIn(
            'patient_id',
            client
              .from('sync_patient_facilities')
              .whereIn('facility_id', facilities)
              .select('patient_id')
          )
      )
    }
    return query
  }

  /** The records (every version, in order) of patients who moved into the catchment in (after, upTo]. */
  async #arrivals(
    client: QueryClientContract,
    subscription: Subscription,
    facilities: string[],
    after: number,
    upTo: number
  ): Promise<Change[]> {
    const moves = await client
      .from('sync_scope_log')
      .where('seq', '>', after)
      .where('seq', '<=', upTo)
      .whereIn('facility_id', facilities)
      .select('patient_id', 'previous_facility_id', 'seq')
    const arrivals: Change[] = []
    for (const move of moves) {
      if (move.previous_facility_id && facilities.includes(move.previous_facility_id)) {
        continue
      }
      const query = client
        .from('fhir_resource_versions')
        .where('patient_id', move.patient_id)
        .where('derived', false)
        .where('seq', '<', move.seq)
      if (subscription.resourceTypes) {
        query.whereIn('resource_type', subscription.resourceTypes)
      }
      const rows = await query.select(COLUMNS).orderBy('seq', 'asc')
      arrivals.push(...rows.map(toChange))
    }
    return arrivals
  }
}

function toChange(row: Record<string, any>): Change {
  return {
    seq: Number(row.seq),
    type: row.resource_type,
    id: row.id,
    versionId: Number(row.version_id),
    lastUpdated: isoInstant(row.last_updated),
    deleted: isTrue(row.deleted),
    content: row.content ?? null,
  }
}

function dedupe(changes: Change[]): Change[] {
  const seen = new Set<string>()
  return changes.filter((change) => {
    const key = `${change.type}/${change.id}/${change.versionId}`
    if (seen.has(key)) {
      return false
    }
    seen.add(key)
    return true
  })
}
