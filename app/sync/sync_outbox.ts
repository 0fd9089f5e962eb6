import { randomUUID } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { SaveContext, SaveHook } from '#services/save_hooks'

/** What may happen to a change waiting to reach the iCDR. */
export const OUTBOX_STATES = {
  pending: 'waiting for the next push',
  conflict: 'the iCDR holds another version: a person decides (sync centre)',
  rejected: 'the iCDR could not store it: kept, with the reasons, until a person acts',
} as const

export type OutboxState = keyof typeof OUTBOX_STATES

export interface OutboxRow {
  id: number
  itemKey: string
  type: string
  resourceId: string
  method: 'create' | 'update' | 'delete'
  baseVersion: number
  content: string | null
  state: OutboxState
  issues: unknown
  resolves: number | null
  resolution: 'mine' | 'merge' | null
}

/**
 * The save pipeline's hook on edges: every local change (form, FHIR, HL7v2)
 * is written to `sync_outbox` in the transaction of the change itself, so a
 * change is never stored without its way to the iCDR, nor the other way
 * round. Versions that came by sync, and rule outputs, are not pushed.
 */
export const outboxHook: SaveHook = {
  name: 'sync outbox',
  async handle(context: SaveContext) {
    if (context.source === 'sync' || context.source === 'rules' || context.replica) {
      return
    }
    if (!context.result) {
      return
    }
    await enqueue(context.trx, {
      type: context.type,
      id: context.id,
      method: context.method,
      /* Local version ids follow the iCDR's: the change was made on the one before. */
      baseVersion: context.result.versionId - 1,
      content: context.result.content,
    })
  },
}

export async function enqueue(
  trx: TransactionClientContract,
  change: {
    type: string
    id: string
    method: string
    baseVersion: number
    content: string | null
  }
): Promise<number> {
  const [id] = await trx
    .table('sync_outbox')
    .insert({
      item_key: randomUUID(),
      resource_type: change.type,
      resource_id: change.id,
      method: change.method,
      base_version: change.baseVersion,
      content: change.content,
      state: 'pending',
      created_at: Date.now(),
    })
    .returning('id')
  return Number(typeof id === 'object' ? id.id : id)
}

export function toOutboxRow(row: Record<string, any>): OutboxRow {
  return {
    id: Number(row.id),
    itemKey: row.item_key,
    type: row.resource_type,
    resourceId: row.resource_id,
    method: row.method,
    baseVersion: Number(row.base_version),
    content: row.content ?? null,
    state: row.state,
    issues: row.issues ? JSON.parse(row.issues) : null,
    resolves: row.resolves === null || row.resolves === undefined ? null : Number(row.resolves),
    resolution: row.resolution ?? null,
  }
}
