import { createHash } from 'node:crypto'
import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { FactRegistry } from '#rules_engine/fact_registry'
import { PackEngine } from '#rules_engine/pack_engine'
import { loadPackPaths, platformPackLoader } from '#rules_engine/platform'
import type { PackLoader } from '#rules_engine/pack_loader'
import { packKey, type RulePack, type TriggerEvent } from '#rules_engine/pack_types'
import type { RulePackError } from '#rules_engine/pack_errors'

/**
 * The rule packs of this node and their engines. Engines are cached by
 * `id@version`, which never changes meaning (published versions are
 * immutable); the list of active versions is read again whenever the
 * table's stamp (row count, latest change) moved, so every process of a
 * scaled-out iCDR, and an edge's server after `node ace ota:check` installed
 * a pack from another process, applies a change from the next save on.
 */
@inject()
export class PackRepository {
  readonly facts = new FactRegistry()
  #loader?: PackLoader
  #engines = new Map<string, PackEngine>()
  #active?: { stamp: string; packs: Promise<RulePack[]> }

  constructor(protected db: Database) {}

  /**
   * Compiling the pack schema takes a moment; every command and request
   * would pay for it at boot, when only imports and authoring need it.
   */
  get loader(): PackLoader {
    this.#loader ??= platformPackLoader(this.facts)
    return this.#loader
  }

  /**
   * Active packs triggered by this event on this resource type. Inside a
   * save, pass its transaction: SQLite has one connection, which it holds.
   */
  async packsFor(
    resourceType: string,
    event: TriggerEvent,
    client?: QueryClientContract
  ): Promise<RulePack[]> {
    const packs = await this.activePacks(client)
    return packs.filter((pack) =>
      pack.triggers.some(
        (trigger) => trigger.resourceTypes.includes(resourceType) && trigger.events.includes(event)
      )
    )
  }

  engine(pack: RulePack): PackEngine {
    const key = packKey(pack)
    let engine = this.#engines.get(key)
    if (!engine) {
      engine = new PackEngine(pack, this.facts)
      this.#engines.set(key, engine)
    }
    return engine
  }

  async activePacks(client?: QueryClientContract): Promise<RulePack[]> {
    const source = client ?? this.db.connection()
    const [row] = await source.from('rule_packs').count('* as count').max('updated_at as latest')
    const stamp = `${row.count}:${row.latest}`
    if (!this.#active || this.#active.stamp !== stamp) {
      this.#active = { stamp, packs: this.#readActive(source) }
      this.#active.packs.catch(() => (this.#active = undefined))
    }
    return this.#active.packs
  }

  /** Forget the active list, after this process published or retired a pack. */
  invalidate() {
    this.#active = undefined
  }

  /**
   * Stores packs from folders (`rules/`, `protocols/`) that this node does
   * not have yet, with the status they declare. Existing versions are never
   * overwritten: a published version is immutable.
   */
  async importFolders(folders: string[], origin = 'shipped') {
    const { packs, failures } = await loadPackPaths(this.loader, folders)
    const imported: string[] = []
    for (const { pack } of packs) {
      const exists = await this.db
        .from('rule_packs')
        .where({ pack_id: pack.id, version: pack.version })
        .first()
      if (!exists) {
        await this.store(pack, pack.status, origin)
        imported.push(packKey(pack))
      }
    }
    this.invalidate()
    return { imported, failures: failures as RulePackError[] }
  }

  async store(pack: RulePack, status: RulePack['status'], origin: string) {
    const content = JSON.stringify({ ...pack, status })
    const now = Date.now()
    await this.db.table('rule_packs').insert({
      pack_id: pack.id,
      version: pack.version,
      kind: pack.kind,
      status,
      content,
      checksum: createHash('sha256').update(content).digest('hex'),
      origin,
      created_at: now,
      updated_at: now,
    })
    this.invalidate()
  }

  /** A run-time failure of a pack: kept for administrators, logged by the caller. */
  async recordFailure(
    failure: {
      packKey: string
      event: string
      resourceType: string
      resourceId?: string
      message: string
    },
    client: QueryClientContract = this.db.connection()
  ) {
    await client.table('rule_pack_failures').insert({
      pack_key: failure.packKey,
      event: failure.event,
      resource_type: failure.resourceType,
      resource_id: failure.resourceId ?? null,
      message: failure.message.slice(0, 4000),
      occurred_at: Date.now(),
    })
  }

  /** The latest run-time failures of packs, newest first: what administrators look at. */
  async recentFailures(limit = 100) {
    const rows = await this.db
      .from('rule_pack_failures')
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
    return rows.map((row) => ({
      pack: row.pack_key,
      event: row.event,
      record: row.resource_id ? `${row.resource_type}/${row.resource_id}` : row.resource_type,
      message: row.message,
      occurredAt: new Date(Number(row.occurred_at)).toISOString(),
    }))
  }

  async #readActive(client: QueryClientContract): Promise<RulePack[]> {
    const rows = await client.from('rule_packs').where('status', 'active').select('content')
    return rows.map((row) => JSON.parse(row.content) as RulePack)
  }
}
