import { inject } from '@adonisjs/core'
import { Logger } from '@adonisjs/core/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { FiredAction } from '#rules_engine/pack_engine'
import { packKey, type PackKind, type TriggerEvent } from '#rules_engine/pack_types'
import { FhirStore } from '#services/fhir_store'
import { PackRepository } from '#services/pack_repository'
import { StoreFactSource } from '#services/store_fact_source'

/**
 * Runs the active packs that an event triggers on one resource, reading
 * facts from the store (inside the caller's transaction when there is one).
 * A pack that throws is left out and its failure recorded: one broken pack
 * never stops a save, a chart or a batch.
 */
@inject()
export class PackEvaluator {
  constructor(
    protected packs: PackRepository,
    protected store: FhirStore,
    protected logger: Logger
  ) {}

  /** Ids of the active packs of these kinds that the event triggers on this resource type. */
  async packIds(
    resourceType: string,
    event: TriggerEvent,
    kinds: PackKind[],
    trx?: TransactionClientContract
  ): Promise<Set<string>> {
    const packs = await this.packs.packsFor(resourceType, event, trx)
    return new Set(packs.filter((pack) => kinds.includes(pack.kind)).map((pack) => pack.id))
  }

  async evaluate(
    resource: Record<string, any>,
    event: TriggerEvent,
    kinds: PackKind[],
    trx?: TransactionClientContract
  ): Promise<FiredAction[]> {
    const packs = await this.packs.packsFor(resource.resourceType, event, trx)
    const source = new StoreFactSource(this.store, trx)
    const fired: FiredAction[] = []
    for (const pack of packs.filter((candidate) => kinds.includes(candidate.kind))) {
      try {
        const engine = this.packs.engine(pack)
        fired.push(...(await engine.evaluate({ pack, event, resource, asOf: new Date(), source })))
      } catch (error) {
        const key = packKey(pack)
        this.logger.warn({ pack: key, err: error }, 'rule pack failed; going on without it')
        await this.packs.recordFailure(
          {
            packKey: key,
            event,
            resourceType: resource.resourceType,
            resourceId: resource.id,
            message: error.message,
          },
          trx
        )
      }
    }
    return fired
  }
}
