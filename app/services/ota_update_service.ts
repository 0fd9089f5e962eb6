import { inject } from '@adonisjs/core'
import { Logger } from '@adonisjs/core/logger'
import app from '@adonisjs/core/services/app'
import { OtaError } from '#ota/ota_error'
import type { OtaTarget, OtaUpdater } from '#ota/tuf_updater'
import { AuditTrail } from '#services/audit_trail'
import { IcdrClient, IcdrUnreachableError } from '#services/icdr_client'
import type { DeviceUpdates } from '#services/ota_channel_service'
import { openEdgeUpdater } from '#services/ota_edge_client'
import { OtaEdgeStatus, type OtaFailure } from '#services/ota_edge_status'
import { OtaPackInstaller, type PackChange, type PlannedChange } from '#services/ota_pack_installer'
import { packTargetPath } from '#services/ota_repository_service'
import { failureOf, OtaUpdateError } from '#services/ota_update_error'
import { PackRepository } from '#services/pack_repository'
import { RulePackError } from '#rules_engine/pack_errors'
import { runPackTests } from '#rules_engine/pack_test_runner'
import type { RulePack } from '#rules_engine/pack_types'
import type otaConfig from '#config/ota'
import type outpostConfig from '#config/outpost'

export interface CheckResult {
  outcome: 'up-to-date' | 'installed' | 'rolled-back' | 'failed' | 'skipped'
  changes: PackChange[]
  heldBack: string[]
  error?: OtaFailure
  reported?: boolean
}

/** Longer than any check should take; a crashed check frees the lease after it. */
const LEASE_MS = 10 * 60 * 1000

/**
 * The edge's updater (DESIGN.md section 4, docs/ota.md). One check: ask the iCDR which
 * versions apply to this device, refresh TUF metadata from the pinned root, download
 * and verify what is missing, install every change in one transaction, run the new
 * packs' own tests and roll back automatically when one fails, then report to the
 * iCDR. Whatever fails before the install leaves the active set as it was; the
 * failure is recorded and reported, and the next check starts afresh.
 */
@inject()
export class OtaUpdateService {
  constructor(
    protected installer: OtaPackInstaller,
    protected status: OtaEdgeStatus,
    protected icdr: IcdrClient,
    protected packs: PackRepository,
    protected audit: AuditTrail,
    protected logger: Logger
  ) {}

  /** Where updates come from: OTA_METADATA_URL/OTA_TARGETS_URL, else the iCDR this node knows. */
  async sources(): Promise<{ metadataUrl: string; targetsUrl: string } | null> {
    const base = await this.icdr.baseUrl()
    const metadataUrl = this.#settings.metadataUrl ?? (base ? `${base}/ota/metadata` : undefined)
    const targetsUrl = this.#settings.targetsUrl ?? (base ? `${base}/ota/targets` : undefined)
    return metadataUrl && targetsUrl && base ? { metadataUrl, targetsUrl } : null
  }

  async check(options: { retryHeld?: boolean } = {}): Promise<CheckResult> {
    const sources = await this.sources()
    if (!sources) {
      return skipped(
        'E_OTA_NOT_CONFIGURED',
        'this node knows no iCDR: enrol it (node ace edge:enroll) or set ICDR_URL'
      )
    }
    if (!(await this.status.acquire(LEASE_MS))) {
      return skipped('E_OTA_BUSY', 'another update check is running on this node')
    }
    try {
      if (options.retryHeld) {
        await this.installer.releaseHolds()
      }
      const startedAt = new Date()
      const result = await this.#update(sources)
      await this.status.recordCheck(startedAt, result.error ?? null)
      return { ...result, reported: await this.report() }
    } finally {
      await this.status.release()
    }
  }

  /** Tells the iCDR what runs here; false when it cannot be reached (the next check tells it). */
  async report(): Promise<boolean> {
    const [status, active, held] = await Promise.all([
      this.status.read(),
      this.installer.activeVersions(),
      this.installer.heldBack(),
    ])
    const body = {
      installed: [...active].map(([packId, { version }]) => ({ packId, version })),
      heldBack: held.map((each) => ({ ...each, reason: each.reason.slice(0, 1000) })),
      facility: this.#settings.facility ?? null,
      appVersion: app.config.get<typeof outpostConfig>('outpost').version,
      lastCheckAt: status.lastCheckAt,
      lastSuccessAt: status.lastSuccessAt,
      lastError: status.lastError,
    }
    try {
      const answer = await this.icdr.request('POST', '/api/v1/ota/reports', { body })
      if (answer.status !== 200) {
        this.logger.warn({ status: answer.status }, 'the iCDR refused the update report')
        return false
      }
      await this.status.recordReported()
      return true
    } catch (error) {
      if (error instanceof IcdrUnreachableError) {
        return false
      }
      throw error
    }
  }

  async #update(sources: { metadataUrl: string; targetsUrl: string }): Promise<CheckResult> {
    const intended: string[] = []
    try {
      const updates = await this.#ask()
      const updater = await openEdgeUpdater({ ...this.#settings, ...sources }, this.logger)
      await updater.refresh()
      const plan = await this.#plan(updates, updater, intended)
      if (plan.changes.length === 0) {
        return { outcome: 'up-to-date', changes: [], heldBack: plan.heldBack }
      }
      const installId = await this.installer.install(plan.changes)
      const changes = plan.changes.map(({ packId, from, to }) => ({ packId, from, to }))
      const failing = await this.#failingTests(plan.changes)
      if (failing.size === 0) {
        await this.#auditChanges(changes, 'success')
        return { outcome: 'installed', changes, heldBack: plan.heldBack }
      }
      const tests = [...failing].map(([packKey, names]) => `${packKey}: ${names.join(', ')}`)
      const message = `rolled back: the pack's own tests failed here (${tests.join('; ')})`
      await this.installer.rollback({ installId, reason: message, hold: new Set(failing.keys()) })
      await this.#auditChanges(changes, 'failure', message)
      return {
        outcome: 'rolled-back',
        changes,
        heldBack: plan.heldBack,
        error: { code: 'E_OTA_PACK_TESTS_FAILED', message },
      }
    } catch (error) {
      const failure = failureOf(error)
      this.logger.warn({ code: failure.code }, `update check failed: ${failure.message}`)
      for (const packKey of intended) {
        await this.audit.packInstalled({
          packKey,
          outcome: 'failure',
          detail: `${failure.code}: ${failure.message}`,
        })
      }
      return { outcome: 'failed', changes: [], heldBack: [], error: failure }
    }
  }

  /** Which versions apply to this device, as the iCDR's channels and rollouts decide. */
  async #ask(): Promise<DeviceUpdates> {
    const facility = this.#settings.facility
    const query = facility ? `?facility=${encodeURIComponent(facility)}` : ''
    const answer = await this.icdr.request('GET', `/api/v1/ota/updates${query}`)
    if (answer.status !== 200) {
      const reason = answer.body?.error?.message ?? JSON.stringify(answer.body)
      throw new OtaUpdateError(
        'E_OTA_REFUSED_BY_ICDR',
        `the iCDR answered ${answer.status} when asked for updates: ${reason}`
      )
    }
    const packs = (answer.body as DeviceUpdates | null)?.packs
    const wellFormed =
      Array.isArray(packs) &&
      packs.every((pack) => typeof pack?.packId === 'string' && typeof pack?.version === 'string')
    if (!wellFormed) {
      throw new OtaUpdateError('E_OTA_REFUSED_BY_ICDR', 'the iCDR answered updates without packs')
    }
    return answer.body as DeviceUpdates
  }

  /**
   * What to change. The target of a version is named here from its id and version, not
   * taken from the answer. A version stored here already (a rollback target) is switched
   * to only if TUF still lists it; any other is downloaded, verified against the signed
   * length and hashes, and loaded like any pack. Pack ids that updates installed and the
   * iCDR no longer offers are switched off.
   */
  async #plan(updates: DeviceUpdates, updater: OtaUpdater, intended: string[]) {
    const [active, stored, held, managed] = await Promise.all([
      this.installer.activeVersions(),
      this.installer.storedVersions(),
      this.installer.heldBack(),
      this.installer.managedPackIds(),
    ])
    const holds = new Set(held.map((each) => `${each.packId}@${each.version}`))
    const targets = await updater.listTargets('rulepacks/')
    const listed = new Map(targets.map((target) => [target.path, target]))
    const changes: PlannedChange[] = []
    const heldBack: string[] = []
    for (const { packId, version } of updates.packs) {
      const target = packTargetPath(packId, version)
      const from = active.get(packId)?.version ?? null
      const key = `${packId}@${version}`
      if (from === version) {
        continue
      }
      if (holds.has(key)) {
        heldBack.push(key)
        continue
      }
      intended.push(key)
      if (stored.has(key)) {
        if (!listed.has(target)) {
          throw OtaError.notFound(target)
        }
        changes.push({ packId, from, to: version })
        continue
      }
      const download = await updater.download(target)
      const pack = this.#load(download.bytes, download.target, packId, version)
      changes.push({ packId, from, to: version, pack })
    }
    const offered = new Set(updates.packs.map((pack) => pack.packId))
    for (const [packId, { version }] of active) {
      if (managed.has(packId) && !offered.has(packId)) {
        intended.push(`${packId}@${version}`)
        changes.push({ packId, from: version, to: null })
      }
    }
    return { changes, heldBack }
  }

  /** A verified target as a pack: the loader's checks, and the id and version that were signed. */
  #load(bytes: Buffer, target: OtaTarget, packId: string, version: string): RulePack {
    const custom = target.custom as { packId?: string; version?: string }
    if ((custom.packId ?? packId) !== packId || (custom.version ?? version) !== version) {
      throw new OtaUpdateError(
        'E_OTA_PACK_MISMATCH',
        `${target.path} is signed as ${custom.packId}@${custom.version}, not ${packId}@${version}`
      )
    }
    let pack: RulePack
    try {
      pack = this.packs.loader.load(bytes.toString('utf8'), target.path)
    } catch (error) {
      if (error instanceof RulePackError) {
        throw new OtaUpdateError('E_OTA_PACK_INVALID', `${target.path}: ${error.message}`)
      }
      throw error
    }
    if (pack.id !== packId || pack.version !== version) {
      throw new OtaUpdateError(
        'E_OTA_PACK_MISMATCH',
        `${target.path} holds ${pack.id}@${pack.version}, not ${packId}@${version}`
      )
    }
    return pack
  }

  /**
   * The installed packs' own tests, run on this node's platform, as the engine loads
   * them from the store: the names of the failed tests by `id@version`.
   */
  async #failingTests(changes: PlannedChange[]): Promise<Map<string, string[]>> {
    const active = await this.packs.activePacks()
    const failing = new Map<string, string[]>()
    for (const change of changes.filter((each) => each.to)) {
      const pack = active.find((each) => each.id === change.packId && each.version === change.to)
      const results = pack ? await runPackTests(pack, this.packs.facts) : []
      const failed = results.filter((result) => !result.passed).map((result) => result.name)
      if (failed.length > 0) {
        failing.set(`${change.packId}@${change.to}`, failed)
      }
    }
    return failing
  }

  async #auditChanges(changes: PackChange[], outcome: 'success' | 'failure', detail?: string) {
    for (const change of changes) {
      const packKey = `${change.packId}@${change.to ?? change.from}`
      const what = change.to ? `installed (was ${change.from ?? 'none'})` : 'removed'
      await this.audit.packInstalled({ packKey, outcome, detail: detail ?? what })
    }
  }

  get #settings() {
    return app.config.get<typeof otaConfig>('ota')
  }
}

function skipped(code: string, message: string): CheckResult {
  return { outcome: 'skipped', changes: [], heldBack: [], error: { code, message } }
}
