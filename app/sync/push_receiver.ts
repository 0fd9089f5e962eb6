import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import RuleReevaluationJob from '#jobs/rule_reevaluation_job'
import { JobQueue } from '#queue/job_queue'
import { patientOf } from '#rules_engine/fact_source'
import { Database } from '@adonisjs/lucid/database'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { FhirError } from '#interop/fhir/fhir_error'
import { canonicalJson } from '#ota/canonical_json'
import { parseFhirJson } from '#interop/fhir/fhir_json'
import { FhirStore } from '#services/fhir_store'
import { isDuplicateKey } from '#services/fhir_version'
import { SavePipeline } from '#services/save_pipeline'
import { actorOf, type Principal } from '#identity/principal'
import { recordPatientFacility } from '#sync/patient_scope'
import { ChangeFeed } from '#sync/change_feed'
import type { PushAnswer, PushItem } from '#sync/push_protocol'
import { PushScope } from '#sync/push_scope'
import { SyncSubscriptions } from '#sync/sync_subscriptions'

/**
 * The iCDR's side of a push (DESIGN.md section 5). Each item is applied on
 * its own, through the save pipeline (source `sync`: a business rule's
 * refusal becomes a flag, since the edge already accepted the data), with a
 * version check against the version the edge changed:
 * - accepted: the new version, which the edge keeps as its own copy;
 * - conflict: someone changed the resource since; both versions are kept in
 *   the conflict queue for a person to resolve;
 * - rejected: the change cannot be stored at all (not valid FHIR, or the
 *   record of a patient outside the device's reach: `PushScope`), with the
 *   reasons; the edge keeps it in its dead-letter list.
 * The answer is stored under the device and item key in the same
 * transaction, so a retried item (a lost response, a duplicated request) gets
 * the same answer and is never applied twice.
 */
@inject()
export class PushReceiver {
  constructor(
    protected db: Database,
    protected store: FhirStore,
    protected pipeline: SavePipeline,
    protected subscriptions: SyncSubscriptions,
    protected feed: ChangeFeed
  ) {}

  async receive(device: Principal, items: PushItem[]): Promise<PushAnswer[]> {
    const subscription = await this.subscriptions.of(device)
    const scope = new PushScope(
      subscription.facilityIds
        ? await this.feed.catchment(this.db.connection(), subscription.facilityIds)
        : null
    )
    const answers: PushAnswer[] = []
    for (const item of items) {
      answers.push(await this.#receiveOne(device, scope, item))
    }
    await this.#reevaluate(answers)
    return answers
  }

  /**
   * DQ again, as a job, for the patients whose records just arrived: what the
   * edge accepted offline is flagged now if a pack finds fault, never refused.
   */
  async #reevaluate(answers: PushAnswer[]) {
    const patients = new Set<string>()
    for (const answer of answers) {
      if (answer.status === 'accepted' && answer.content) {
        const patientId = patientOf(JSON.parse(answer.content))
        if (patientId) {
          patients.add(patientId)
        }
      }
    }
    if (patients.size > 0) {
      const queue = await app.container.make(JobQueue)
      await queue.dispatch(RuleReevaluationJob, { patientIds: [...patients] })
    }
  }

  async #receiveOne(device: Principal, scope: PushScope, item: PushItem): Promise<PushAnswer> {
    for (let attempt = 1; ; attempt++) {
      const earlier = await this.#receipt(this.db.connection(), device, item.key)
      if (earlier) {
        return earlier
      }
      try {
        return await this.db.transaction(async (trx) => {
          const answer = await this.#apply(trx, device, scope, item)
          return this.#keep(trx, device, item.key, answer)
        })
      } catch (error) {
        /*
         * Another writer changed the resource between the version check and
         * the write, or the same item arrived twice at once: start again, and
         * the check or the receipt decides.
         */
        const raced =
          isDuplicateKey(error) ||
          (error instanceof FhirError &&
            ['E_FHIR_PRECONDITION_FAILED', 'E_FHIR_CONFLICT'].includes(error.code))
        if (raced && attempt < 3) {
          continue
        }
        if (!(error instanceof FhirError)) {
          throw error
        }
        return this.#reject(device, item, error)
      }
    }
  }

  #reject(device: Principal, item: PushItem, error: FhirError) {
    const answer: PushAnswer = {
      key: item.key,
      status: 'rejected',
      issues: error.issues.map((issue) => ({
        severity: issue.severity,
        code: issue.code,
        message: issue.diagnostics ?? error.message,
        path: issue.expression?.[0],
      })),
    }
    return this.db.transaction((trx) => this.#keep(trx, device, item.key, answer))
  }

  async #apply(
    trx: TransactionClientContract,
    device: Principal,
    scope: PushScope,
    item: PushItem
  ) {
    const current = await this.store.read(item.type, item.id, trx)
    const stored = await trx
      .from('fhir_resources')
      .where({ resource_type: item.type, id: item.id })
      .select('patient_id')
      .first()
    if (!(await scope.allows(trx, item, stored?.patient_id ?? null))) {
      throw FhirError.forbidden(
        `${item.type}/${item.id} belongs to a patient outside this device's facilities; it was not stored`
      )
    }
    const currentVersion = current ? current.versionId : 0
    if (currentVersion !== item.baseVersion) {
      return sameResource(current, item)
        ? accepted(item.key, current!)
        : this.#conflict(trx, device, item, current)
    }
    const { result } = await this.pipeline.save(
      {
        method: item.method === 'delete' ? 'delete' : current ? 'update' : 'create',
        type: item.type,
        id: item.id,
        body: item.content === null ? undefined : parseFhirJson(item.content),
        expectedVersion: current ? item.baseVersion : null,
        source: 'sync',
        principal: actorOf(device),
      },
      trx
    )
    if (item.type === 'Patient' && result && device.facilityId) {
      /* A patient registered at an edge without a managing organization belongs to its facility. */
      await recordPatientFacility(trx, item.id, null, result.seq, { keepKnown: true })
      await this.#adoptUnplaced(trx, item.id, device.facilityId)
    }
    if (item.resolves !== undefined && item.resolves !== null) {
      await trx
        .from('sync_conflicts')
        .where({ id: item.resolves, device_name: device.id, status: 'open' })
        .update({
          status: 'resolved',
          resolution: item.resolution ?? 'mine',
          resolved_by: device.id,
          resolved_at: Date.now(),
        })
    }
    const after = await this.store.read(item.type, item.id, trx)
    return accepted(item.key, after!)
  }

  async #adoptUnplaced(trx: TransactionClientContract, patientId: string, facilityId: string) {
    await trx
      .from('sync_patient_facilities')
      .where('patient_id', patientId)
      .whereNull('facility_id')
      .update({ facility_id: facilityId })
  }

  async #conflict(
    trx: TransactionClientContract,
    device: Principal,
    item: PushItem,
    current: Awaited<ReturnType<FhirStore['read']>>
  ): Promise<PushAnswer> {
    const mine = item.content
    const theirs = current && !current.deleted ? current.content : null
    const [id] = await trx
      .table('sync_conflicts')
      .insert({
        device_name: device.id,
        resource_type: item.type,
        resource_id: item.id,
        item_key: item.key,
        base_version: item.baseVersion,
        server_version: current?.versionId ?? 0,
        mine,
        theirs,
        status: 'open',
        created_at: Date.now(),
      })
      .returning('id')
    return {
      key: item.key,
      status: 'conflict',
      conflictId: Number(typeof id === 'object' ? id.id : id),
      serverVersion: current?.versionId ?? 0,
      theirs,
    }
  }

  async #receipt(
    client: TransactionClientContract | ReturnType<Database['connection']>,
    device: Principal,
    key: string
  ): Promise<PushAnswer | null> {
    const row = await client
      .from('sync_receipts')
      .where({ device_name: device.id, item_key: key })
      .select('answer')
      .first()
    return row ? JSON.parse(row.answer) : null
  }

  async #keep(
    trx: TransactionClientContract,
    device: Principal,
    key: string,
    answer: PushAnswer
  ): Promise<PushAnswer> {
    await trx.table('sync_receipts').insert({
      device_name: device.id,
      item_key: key,
      answer: JSON.stringify(answer),
      created_at: Date.now(),
    })
    return answer
  }
}

function accepted(key: string, stored: NonNullable<Awaited<ReturnType<FhirStore['read']>>>) {
  return {
    key,
    status: 'accepted' as const,
    versionId: stored.versionId,
    lastUpdated: stored.lastUpdated,
    deleted: stored.deleted,
    content: stored.deleted ? null : stored.content,
  }
}

/**
 * The iCDR already holds what the edge sends (the same record entered on
 * both sides, or a change that arrived by another path): nothing to decide.
 */
function sameResource(current: Awaited<ReturnType<FhirStore['read']>>, item: PushItem) {
  if (!current) {
    return false
  }
  if (item.content === null || current.deleted) {
    return item.content === null && current.deleted
  }
  const withoutMeta = (text: string) => {
    const { meta, ...rest } = JSON.parse(text)
    return canonicalJson(rest)
  }
  return withoutMeta(current.content) === withoutMeta(item.content)
}
