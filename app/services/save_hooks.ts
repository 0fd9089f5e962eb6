import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * Where a write came from. Rules behave the same for every source; sync is
 * the one difference in effect: data already accepted elsewhere is flagged,
 * never refused (DESIGN.md section 2).
 */
export const SAVE_SOURCES = {
  fhir: 'FHIR REST API',
  form: 'a page of the clinic UI',
  hl7v2: 'an HL7v2 message',
  sync: 'sync from another node',
  import: 'a bulk import or the sandbox seed',
  rules: 'an action of a rule pack',
} as const

export type SaveSource = keyof typeof SAVE_SOURCES

export type SaveMethod = 'create' | 'update' | 'delete'

export interface Principal {
  kind: 'client' | 'user' | 'device' | 'system'
  id: string
  name: string
}

export interface SaveResult {
  type: string
  id: string
  versionId: number
  lastUpdated: string
  /** The stored JSON text (decimals as written); null after a delete. */
  content: string | null
  created: boolean
  seq: number
}

/**
 * What a hook sees of one write. `resource` is the plain JSON being saved
 * (the stored version for a delete); `mutate` changes it and the stored text
 * together, which is how `assign` rules set values.
 */
export interface SaveContext {
  readonly method: SaveMethod
  readonly source: SaveSource
  readonly type: string
  readonly id: string
  readonly principal?: Principal
  /** A version another node made, arriving by sync: audited where it was written, not again here. */
  readonly replica?: boolean
  readonly trx: TransactionClientContract
  readonly resource: Record<string, any>
  /** Notes a hook leaves for the caller (warnings, DQ findings): returned with the result. */
  readonly notes: Array<{ severity: 'information' | 'warning'; message: string; source: string }>
  mutate(change: (resource: Record<string, any>) => void): void
  /** Set after persist; undefined in beforeSave. */
  result?: SaveResult
}

export const SAVE_STAGES = ['beforeSave', 'afterSave', 'audit'] as const

export type SaveStage = (typeof SAVE_STAGES)[number]

export interface SaveHook {
  /** Shown in errors and logs: which hook refused or failed. */
  name: string
  handle(context: SaveContext): Promise<void> | void
}

/**
 * The hooks of the save pipeline, by stage, run in registration order. The
 * rule engine registers itself here; so do audit and sync. A hook that throws
 * rolls the whole write back.
 */
export class SaveHooks {
  #hooks: Record<SaveStage, SaveHook[]> = { beforeSave: [], afterSave: [], audit: [] }

  register(stage: SaveStage, hook: SaveHook) {
    this.#hooks[stage].push(hook)
    return () => this.unregister(stage, hook)
  }

  unregister(stage: SaveStage, hook: SaveHook) {
    this.#hooks[stage] = this.#hooks[stage].filter((registered) => registered !== hook)
  }

  list(stage: SaveStage): readonly SaveHook[] {
    return this.#hooks[stage]
  }
}
