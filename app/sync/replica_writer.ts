import { inject } from '@adonisjs/core'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { parseFhirJson } from '#interop/fhir/fhir_json'
import { FhirStore } from '#services/fhir_store'
import { SavePipeline } from '#services/save_pipeline'
import type { Change } from '#sync/change_feed'

export type ReplicaOutcome = 'applied' | 'known' | 'stale'

/**
 * Keeps a version the iCDR made as this edge's copy, through the save
 * pipeline (source `sync`: rules flag instead of refusing, CDS refreshes),
 * under the iCDR's version id and time. Applying a version twice changes
 * nothing, which is what makes a pull resumable after a crash.
 */
@inject()
export class ReplicaWriter {
  constructor(
    protected pipeline: SavePipeline,
    protected store: FhirStore
  ) {}

  async apply(
    trx: TransactionClientContract,
    version: Omit<Change, 'seq'>
  ): Promise<ReplicaOutcome> {
    const { type, id, versionId, lastUpdated } = version
    const local = await this.store.read(type, id, trx)
    if (local && local.versionId > versionId) {
      return 'stale'
    }
    if (
      local &&
      local.versionId === versionId &&
      local.deleted === version.deleted &&
      (version.deleted || local.content === version.content)
    ) {
      return 'known'
    }
    const replica = { versionId, lastUpdated }
    if (version.deleted || version.content === null) {
      if (!local || local.deleted) {
        return 'known'
      }
      await this.pipeline.save({ method: 'delete', type, id, source: 'sync', replica }, trx)
      return 'applied'
    }
    await this.pipeline.save(
      { method: 'update', type, id, body: parseFhirJson(version.content), source: 'sync', replica },
      trx
    )
    return 'applied'
  }
}
