import { createHash } from 'node:crypto'
import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { PackRepository } from '#services/pack_repository'
import type { PackStatus, RulePack } from '#rules_engine/pack_types'

/** One pack id moved from one version to another; null: no version active. */
export interface PackChange {
  packId: string
  from: string | null
  to: string | null
  rolledBack?: boolean
}

/** A change about to be applied; `pack` when the version is not stored here yet. */
export interface PlannedChange extends PackChange {
  pack?: RulePack
}

export interface ActiveVersion {
  version: string
  origin: string
}

export interface HeldVersion {
  packId: string
  version: string
  reason: string
}

/**
 * Switches an edge's active pack set (DESIGN.md section 4): every change of an update
 * in one transaction, so the engine sees the old set or the new one, never a mix; each
 * install recorded with the versions it replaced, which stay stored, so that a rollback
 * is another switch. Versions rolled back are held back: the next check does not bring
 * them again until the iCDR offers another version.
 */
@inject()
export class OtaPackInstaller {
  constructor(
    protected db: Database,
    protected packs: PackRepository
  ) {}

  async activeVersions(): Promise<Map<string, ActiveVersion>> {
    const rows = await this.db
      .from('rule_packs')
      .where('status', 'active')
      .select('pack_id', 'version', 'origin')
    return new Map(rows.map((row) => [row.pack_id, { version: row.version, origin: row.origin }]))
  }

  async storedVersions(): Promise<Set<string>> {
    const rows = await this.db.from('rule_packs').select('pack_id', 'version')
    return new Set(rows.map((row) => `${row.pack_id}@${row.version}`))
  }

  /** Pack ids an update ever installed here: their versions follow the iCDR's decisions. */
  async managedPackIds(): Promise<Set<string>> {
    const rows = await this.db.from('ota_installs').select('changes')
    const changes = rows.flatMap((row) => JSON.parse(row.changes) as PackChange[])
    return new Set(changes.filter((change) => change.to).map((change) => change.packId))
  }

  async heldBack(): Promise<HeldVersion[]> {
    const rows = await this.db.from('ota_held_back').orderBy(['pack_id', 'version'])
    return rows.map((row) => ({ packId: row.pack_id, version: row.version, reason: row.reason }))
  }

  /** Lets held versions be installed again at the next check. */
  async releaseHolds(): Promise<number> {
    return Number(await this.db.from('ota_held_back').delete())
  }

  /** Applies an update in one transaction and records it; returns the install's id. */
  async install(changes: PlannedChange[]): Promise<number> {
    const id = await this.db.transaction(async (trx) => {
      for (const change of changes) {
        if (change.pack) {
          await storePack(trx, change.pack)
        }
        await switchVersion(trx, change.packId, change.to)
      }
      const recorded = changes.map(({ packId, from, to }) => ({ packId, from, to }))
      const [installId] = await trx.table('ota_installs').insert({
        changes: JSON.stringify(recorded),
        outcome: 'installed',
        installed_at: Date.now(),
      })
      return Number(installId)
    })
    this.packs.invalidate()
    return id
  }

  /**
   * Undoes the latest install (or the latest one that changed `packId`): each of its
   * changes still in effect is switched back in one transaction, and the versions it
   * had installed are held back (only those in `hold`, when given). Changes that a
   * later install superseded are left alone.
   */
  async rollback(options: {
    installId?: number
    packId?: string
    reason: string
    hold?: ReadonlySet<string>
  }): Promise<PackChange[]> {
    const install = await this.#installToUndo(options)
    if (!install) {
      return []
    }
    const active = await this.activeVersions()
    const changes = JSON.parse(install.changes) as PackChange[]
    const undone: PackChange[] = []
    await this.db.transaction(async (trx) => {
      for (const change of changes) {
        const inEffect = (active.get(change.packId)?.version ?? null) === change.to
        if (
          change.rolledBack ||
          !inEffect ||
          (options.packId && change.packId !== options.packId)
        ) {
          continue
        }
        await switchVersion(trx, change.packId, change.from)
        const held = change.to && (options.hold?.has(`${change.packId}@${change.to}`) ?? true)
        if (held) {
          await hold(trx, change.packId, change.to!, options.reason)
        }
        change.rolledBack = true
        undone.push({ packId: change.packId, from: change.to, to: change.from })
      }
      await trx
        .from('ota_installs')
        .where('id', install.id)
        .update({
          changes: JSON.stringify(changes),
          outcome: changes.every((change) => change.rolledBack) ? 'rolled-back' : 'installed',
          detail: options.reason.slice(0, 4000),
          rolled_back_at: Date.now(),
        })
    })
    this.packs.invalidate()
    return undone
  }

  async history(limit = 20) {
    const rows = await this.db.from('ota_installs').orderBy('id', 'desc').limit(limit)
    return rows.map((row) => ({
      id: Number(row.id),
      outcome: row.outcome as string,
      changes: JSON.parse(row.changes) as PackChange[],
      installedAt: new Date(Number(row.installed_at)).toISOString(),
      detail: row.detail as string | null,
    }))
  }

  async #installToUndo(options: { installId?: number; packId?: string }) {
    const query = this.db.from('ota_installs').where('outcome', 'installed').orderBy('id', 'desc')
    if (options.installId !== undefined) {
      query.where('id', options.installId)
    }
    const rows = await query
    return rows.find((row) => {
      const changes = JSON.parse(row.changes) as PackChange[]
      return changes.some(
        (change) => !change.rolledBack && (!options.packId || change.packId === options.packId)
      )
    })
  }
}

/** Stores a verified pack version, not active yet. */
async function storePack(client: QueryClientContract, pack: RulePack) {
  const exists = await client
    .from('rule_packs')
    .where({ pack_id: pack.id, version: pack.version })
    .first()
  if (exists) {
    return
  }
  const content = JSON.stringify({ ...pack, status: 'retired' })
  const now = Date.now()
  await client.table('rule_packs').insert({
    pack_id: pack.id,
    version: pack.version,
    kind: pack.kind,
    status: 'retired',
    content,
    checksum: checksum(content),
    origin: 'ota',
    created_at: now,
    updated_at: now,
  })
}

/** Makes `version` the one active version of a pack id; null: none. */
async function switchVersion(client: QueryClientContract, packId: string, version: string | null) {
  const active = await client.from('rule_packs').where({ pack_id: packId, status: 'active' })
  for (const row of active.filter((each) => each.version !== version)) {
    await setStatus(client, packId, row.version, 'retired')
  }
  if (version && !active.some((row) => row.version === version)) {
    await setStatus(client, packId, version, 'active')
  }
}

/** The status lives in the column the engine reads and in the stored document. */
async function setStatus(
  client: QueryClientContract,
  packId: string,
  version: string,
  status: PackStatus
) {
  const where = { pack_id: packId, version }
  const row = await client.from('rule_packs').where(where).first()
  if (!row) {
    throw new Error(`${packId}@${version} is not stored on this node`)
  }
  const content = JSON.stringify({ ...JSON.parse(row.content), status })
  await client
    .from('rule_packs')
    .where(where)
    .update({ status, content, checksum: checksum(content), updated_at: Date.now() })
}

async function hold(client: QueryClientContract, packId: string, version: string, reason: string) {
  await client
    .table('ota_held_back')
    .insert({ pack_id: packId, version, reason: reason.slice(0, 4000), created_at: Date.now() })
    .knexQuery.onConflict(['pack_id', 'version'])
    .merge(['reason', 'created_at'])
}

function checksum(content: string) {
  return createHash('sha256').update(content).digest('hex')
}
