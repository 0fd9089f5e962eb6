import { createHash } from 'node:crypto'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { Database } from '@adonisjs/lucid/database'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { PackRepository } from '#services/pack_repository'
import { RulePackError, type PackProblem } from '#rules_engine/pack_errors'
import { runPackTests } from '#rules_engine/pack_test_runner'
import { packKey, type PackStatus, type RulePack } from '#rules_engine/pack_types'
import { compareVersions } from '#rules_engine/pack_version'
import { diffPacks } from '#rules_engine/pack_diff'

/** Refusals of the authoring workflow, with the HTTP status an API answers with. */
export const AUTHORING_ERROR_STATUSES = {
  E_PACK_NOT_FOUND: 404,
  E_PACK_PUBLISHED_IMMUTABLE: 409,
  E_PACK_VERSION_NOT_GREATER: 409,
  E_PACK_NOT_PUBLISHED: 409,
  E_PACK_NO_TESTS: 422,
  E_PACK_TESTS_FAILED: 422,
} as const

export type AuthoringErrorCode = keyof typeof AUTHORING_ERROR_STATUSES

/** A refused authoring step; renders itself as `{ error: { code, message, problems? } }`. */
export class PackAuthoringError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly problems?: PackProblem[] | { path: string; message: string }[]
  ) {
    super(message)
    this.name = 'PackAuthoringError'
  }

  static of(code: AuthoringErrorCode, message: string, problems?: PackAuthoringError['problems']) {
    return new PackAuthoringError(code, AUTHORING_ERROR_STATUSES[code], message, problems)
  }

  /** The loader's refusal, with every problem and its JSON Pointer. */
  static fromRulePackError(error: RulePackError) {
    return new PackAuthoringError(error.code, error.status, error.message, error.problems)
  }

  async handle(error: PackAuthoringError, { response }: HttpContext) {
    const { code, message, problems } = error
    return response.status(error.status).json({ error: { code, message, problems } })
  }
}

export interface PackTestOutcome {
  name: string
  passed: boolean
  failures: string[]
}

export interface PackVersionSummary {
  version: string
  status: PackStatus
  origin: string
  updatedAt: number
}

export interface PackSummary {
  id: string
  kind: string
  versions: PackVersionSummary[]
}

interface StoredPack {
  pack: RulePack
  status: PackStatus
}

const PUBLISHED: PackStatus[] = ['active', 'retired']

/**
 * The iCDR's authoring workflow (DESIGN.md section 3): draft, validate, test, diff, publish,
 * retire. Drafts may be replaced; a published version never changes again, and the version
 * must grow. One version per pack id is active on a node.
 */
@inject()
export class PackAuthoringService {
  constructor(
    protected db: Database,
    protected repository: PackRepository
  ) {}

  /** Parses and checks pack text, or throws every problem with its path. */
  parse(text: string, source = 'upload'): RulePack {
    try {
      return this.repository.loader.load(text, source)
    } catch (error) {
      throw error instanceof RulePackError ? PackAuthoringError.fromRulePackError(error) : error
    }
  }

  /** The problems of pack text; none when it would be accepted. */
  validate(text: string): PackProblem[] {
    try {
      this.repository.loader.load(text)
      return []
    } catch (error) {
      if (error instanceof RulePackError) {
        return error.problems
      }
      throw error
    }
  }

  async saveDraft(text: string) {
    const pack = this.parse(text)
    const existing = await this.#row(pack.id, pack.version)
    if (existing && existing.status !== 'draft') {
      throw PackAuthoringError.of(
        'E_PACK_PUBLISHED_IMMUTABLE',
        `${packKey(pack)} is ${existing.status}: a published version never changes; raise the version`
      )
    }
    if (existing) {
      await this.db.from('rule_packs').where({ pack_id: pack.id, version: pack.version }).delete()
    }
    await this.repository.store(pack, 'draft', 'authoring')
    return { id: pack.id, version: pack.version, status: 'draft', replaced: Boolean(existing) }
  }

  async find(id: string, version: string): Promise<StoredPack> {
    const row = await this.#row(id, version)
    if (!row) {
      throw PackAuthoringError.of('E_PACK_NOT_FOUND', `There is no rule pack ${id}@${version}`)
    }
    return { pack: JSON.parse(row.content) as RulePack, status: row.status }
  }

  async test(id: string, version: string) {
    const { pack } = await this.find(id, version)
    return this.#runTests(pack)
  }

  testText(text: string) {
    return this.#runTests(this.parse(text))
  }

  /** What changed since the highest published version below this one. */
  async diff(id: string, version: string) {
    const { pack, status } = await this.find(id, version)
    const published = await this.#versions(id, PUBLISHED)
    const before = published.filter((row) => compareVersions(row.version, version) < 0).at(-1)
    const previous = before ? await this.find(id, before.version) : null
    return diffPacks(previous, { pack, status })
  }

  /**
   * Makes a draft the active version: refused unless it loads on this platform (schema and
   * fact ids), has tests that all pass, and its version is above every published one.
   */
  async publish(id: string, version: string) {
    const { pack: stored, status } = await this.find(id, version)
    if (status !== 'draft') {
      throw PackAuthoringError.of(
        'E_PACK_PUBLISHED_IMMUTABLE',
        `${id}@${version} is already ${status}`
      )
    }
    const pack = this.parse(JSON.stringify({ ...stored, status: 'draft' }), `${id}@${version}`)
    const results = await this.#runTests(pack)
    if (results.length === 0) {
      throw PackAuthoringError.of('E_PACK_NO_TESTS', `${id}@${version} has no tests`)
    }
    const failed = results.flatMap((result, index) =>
      result.failures.map((message) => ({ path: `/tests/${index}`, message }))
    )
    if (failed.length > 0) {
      const count = results.filter((result) => !result.passed).length
      throw PackAuthoringError.of('E_PACK_TESTS_FAILED', `${count} test(s) failed`, failed)
    }
    const published = await this.#versions(id, PUBLISHED)
    const highest = published.at(-1)?.version
    if (highest && compareVersions(version, highest) <= 0) {
      throw PackAuthoringError.of(
        'E_PACK_VERSION_NOT_GREATER',
        `Version ${version} must be greater than ${highest}, the highest published version of ${id}`,
        [{ path: '/version', message: `must be greater than ${highest}` }]
      )
    }
    await this.db.transaction(async (trx) => {
      for (const row of published.filter((each) => each.status === 'active')) {
        await this.#setStatus(trx, id, row.version, 'retired')
      }
      await this.#setStatus(trx, id, version, 'active')
    })
    this.repository.invalidate()
    return { id, version, status: 'active' as const, tests: results.length }
  }

  async retire(id: string, version: string) {
    const { status } = await this.find(id, version)
    if (status === 'draft') {
      throw PackAuthoringError.of('E_PACK_NOT_PUBLISHED', `${id}@${version} was never published`)
    }
    await this.#setStatus(this.db.connection(), id, version, 'retired')
    this.repository.invalidate()
    return { id, version, status: 'retired' as const }
  }

  /** Every pack id with its versions, lowest first. */
  async list() {
    const rows = await this.db
      .from('rule_packs')
      .select('pack_id', 'version', 'kind', 'status', 'origin', 'updated_at')
      .orderBy('pack_id')
    const packs = new Map<string, PackSummary>()
    for (const row of rows) {
      const entry: PackSummary = packs.get(row.pack_id) ?? {
        id: row.pack_id,
        kind: row.kind,
        versions: [],
      }
      entry.versions.push({
        version: row.version,
        status: row.status,
        origin: row.origin,
        updatedAt: Number(row.updated_at),
      })
      packs.set(row.pack_id, entry)
    }
    for (const entry of packs.values()) {
      entry.versions.sort((a, b) => compareVersions(a.version, b.version))
    }
    return [...packs.values()]
  }

  async #runTests(pack: RulePack): Promise<PackTestOutcome[]> {
    const results = await runPackTests(pack, this.repository.facts)
    return results.map(({ name, passed, failures }) => ({ name, passed, failures }))
  }

  #row(id: string, version: string) {
    return this.db.from('rule_packs').where({ pack_id: id, version }).first()
  }

  async #versions(id: string, statuses: PackStatus[]) {
    const rows = await this.db
      .from('rule_packs')
      .where('pack_id', id)
      .whereIn('status', statuses)
      .select('version', 'status')
    return (rows as { version: string; status: PackStatus }[]).sort((a, b) =>
      compareVersions(a.version, b.version)
    )
  }

  /** The status lives in the column the engine reads and in the document OTA ships. */
  async #setStatus(client: QueryClientContract, id: string, version: string, status: PackStatus) {
    const row = await client.from('rule_packs').where({ pack_id: id, version }).first()
    const content = JSON.stringify({ ...JSON.parse(row.content), status })
    await client
      .from('rule_packs')
      .where({ pack_id: id, version })
      .update({
        status,
        content,
        checksum: createHash('sha256').update(content).digest('hex'),
        updated_at: Date.now(),
      })
  }
}
