import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateRoleKeys, loadKeySet, saveRoleKeys, type RoleKey } from '#ota/ota_keys'
import { TufRepository, type PublishedTarget } from '#ota/tuf_repository'
import { TufRepositoryFiles } from '#ota/tuf_repository_files'
import { DELEGATED_ROLES, TUF_ROLES, type DelegatedRole, type TufRole } from '#ota/tuf_roles'
import { LocalKeySigner, type TufSigner } from '#ota/tuf_signer'
import type { RulePack } from '#rules_engine/pack_types'

export interface OtaRepositorySettings {
  repositoryDir: string
  keysDir: string
  timestampExpirySeconds: number
}

export interface RepositorySetUp {
  keyFiles: string[]
  initialised: boolean
  rootKeyIds: string[]
}

const METADATA_FILE = /^(timestamp|\d+\.(root|snapshot|targets|rulepacks|app))\.json$/
const TARGET_FILE = /^[0-9a-f]{64}\.[A-Za-z0-9][A-Za-z0-9._+-]*$/

/** The TUF target name of a pack version: `who-epi-immunization-1.2.0.json`. */
export function packTargetName(packId: string, version: string): string {
  return `${packId}-${version}.json`
}

export function packTargetPath(packId: string, version: string): string {
  return `rulepacks/${packTargetName(packId, version)}`
}

/**
 * The iCDR's TUF repository (DESIGN.md section 4) as the application uses it. Keys are
 * read from the key directory for every change, so a rotation made by `node ace
 * ota:rotate-key` in another process is used at once, and a role whose keys are not
 * on this host (root, targets in production) simply cannot be signed here. Changes
 * made in this process run one at a time.
 */
export class OtaRepositoryService {
  readonly files: TufRepositoryFiles
  #pending: Promise<unknown> = Promise.resolve()

  constructor(readonly settings: OtaRepositorySettings) {
    this.files = new TufRepositoryFiles(settings.repositoryDir)
  }

  isReady(): Promise<boolean> {
    return this.files.isInitialised()
  }

  /**
   * Initialises the repository, first making the keys that are missing (one per
   * signature a role's threshold needs). An initialised repository is left as it is,
   * and no key is made beside it: a host that holds only some keys keeps only those.
   */
  setUp(thresholds: Partial<Record<TufRole, number>> = {}): Promise<RepositorySetUp> {
    return this.#exclusive(async () => {
      let keyFiles: string[] = []
      const initialised = !(await this.files.isInitialised())
      if (initialised) {
        const existing = await loadKeySet(this.settings.keysDir)
        const missing = (Object.keys(TUF_ROLES) as TufRole[])
          .filter((role) => !existing[role]?.length)
          .flatMap((role) => generateRoleKeys(role, thresholds[role] ?? 1))
        keyFiles = await saveRoleKeys(this.settings.keysDir, missing)
        const repository = await this.#open()
        await repository.init({ thresholds })
      }
      const state = await this.files.readState()
      return { keyFiles, initialised, rootKeyIds: state.root.signed.roles.root.keyIDs }
    })
  }

  trustedRoot(): Promise<Buffer> {
    return this.files.newestRoot()
  }

  async listTargets(role?: DelegatedRole): Promise<PublishedTarget[]> {
    return (await this.files.isInitialised()) ? this.#listed(role) : []
  }

  /**
   * Signs a pack version as a `rulepacks/*` target, unless the same bytes are already
   * listed under its name. The document is shipped as published (`status: active`).
   */
  publishPack(pack: RulePack): Promise<PublishedTarget> {
    return this.#exclusive(async () => {
      const bytes = Buffer.from(JSON.stringify({ ...pack, status: 'active' }))
      const path = packTargetPath(pack.id, pack.version)
      const targets = await this.#listed('rulepacks')
      const listed = targets.find((target) => target.path === path)
      if (listed) {
        return listed
      }
      const repository = await this.#open()
      return repository.addTarget('rulepacks', packTargetName(pack.id, pack.version), bytes, {
        packId: pack.id,
        version: pack.version,
        kind: pack.kind,
      })
    })
  }

  /**
   * Signs an edge software bundle (a release tarball of Outpost) as an `app/*` target,
   * `outpost-<version>.tgz`. The shells and the gateway's service unit apply it; the
   * `app` role is delegated apart from `rulepacks`, so neither can pass for the other.
   */
  publishAppBundle(version: string, bytes: Buffer, notes?: string): Promise<PublishedTarget> {
    if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)) {
      throw new Error(`"${version}" is not a release version such as 1.4.0`)
    }
    return this.#exclusive(async () => {
      const name = `outpost-${version}.tgz`
      const targets = await this.#listed('app')
      const listed = targets.find((target) => target.path === `app/${name}`)
      if (listed) {
        if (listed.sha256 !== createHash('sha256').update(bytes).digest('hex')) {
          throw new Error(`app/${name} is already published with other bytes; raise the version`)
        }
        return listed
      }
      const repository = await this.#open()
      return repository.addTarget('app', name, bytes, {
        kind: 'app',
        version,
        ...(notes ? { notes } : {}),
      })
    })
  }

  /** Stops offering a pack version; false when it was not offered. */
  withdrawPack(packId: string, version: string): Promise<boolean> {
    return this.#exclusive(async () => {
      const repository = await this.#open()
      return repository.removeTarget('rulepacks', packTargetName(packId, version))
    })
  }

  /**
   * Signs a new timestamp when less than half of the current one's life is left.
   * Returns when the timestamp edges see now expires.
   */
  refreshTimestampIfDue(now = new Date()): Promise<{ refreshed: boolean; expires: Date }> {
    return this.#exclusive(async () => {
      const state = await this.files.readState()
      const expires = new Date(state.timestamp.signed.expires)
      const halfLife = (this.settings.timestampExpirySeconds * 1000) / 2
      if (expires.getTime() - now.getTime() > halfLife) {
        return { refreshed: false, expires }
      }
      const repository = await this.#open()
      return { refreshed: true, expires: await repository.refreshTimestamp() }
    })
  }

  /**
   * Replaces the keys of a role with a new one: written beside the old ones, signed
   * into root (or into targets' delegations), then the old key files moved to
   * `retired/`. Edges follow with the root chain; nothing is pinned again.
   */
  rotateKey(role: TufRole, threshold?: number): Promise<{ keyFiles: string[] }> {
    return this.#exclusive(async () => {
      const before = await loadKeySet(this.settings.keysDir)
      const fresh = generateRoleKeys(role, threshold ?? 1)
      const repository = await this.#open()
      await repository.rotateKeys(role, new LocalKeySigner(fresh), threshold)
      const keyFiles = await saveRoleKeys(this.settings.keysDir, fresh)
      await this.#retire(before[role] ?? [])
      return { keyFiles }
    })
  }

  /** The file behind `/ota/metadata/<file>`, or undefined for a name the layout never uses. */
  metadataFile(file: string): string | undefined {
    return METADATA_FILE.test(file) ? join(this.files.metadataDir, file) : undefined
  }

  /** The file behind `/ota/targets/<role>/<file>`. */
  targetFile(role: string, file: string): string | undefined {
    const known = Object.hasOwn(DELEGATED_ROLES, role)
    return known && TARGET_FILE.test(file) ? join(this.files.targetsDir, role, file) : undefined
  }

  async #listed(role?: DelegatedRole): Promise<PublishedTarget[]> {
    const repository = new TufRepository({ dir: this.settings.repositoryDir, signers: {} })
    return repository.listTargets(role)
  }

  async #open(): Promise<TufRepository> {
    const keySet = await loadKeySet(this.settings.keysDir)
    const signers: Partial<Record<TufRole, TufSigner>> = {}
    for (const [role, keys] of Object.entries(keySet) as [TufRole, RoleKey[]][]) {
      signers[role] = new LocalKeySigner(keys)
    }
    return new TufRepository({
      dir: this.settings.repositoryDir,
      signers,
      expiries: { timestamp: this.settings.timestampExpirySeconds },
    })
  }

  async #retire(keys: RoleKey[]) {
    const retired = join(this.settings.keysDir, 'retired')
    await mkdir(retired, { recursive: true, mode: 0o700 })
    const files = await keyFilesOf(this.settings.keysDir, keys)
    for (const file of files) {
      await rename(join(this.settings.keysDir, file), join(retired, `${Date.now()}-${file}`))
    }
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#pending.then(task, task)
    this.#pending = run.catch(() => undefined)
    return run
  }
}

/** The key files in `dir` holding these keys, found by key id. */
async function keyFilesOf(dir: string, keys: RoleKey[]): Promise<string[]> {
  const ids = new Set(keys.map((key) => key.publicKey.keyID))
  const files: string[] = []
  for (const file of await readdir(dir)) {
    const path = join(dir, file)
    const entry = await stat(path)
    if (!file.endsWith('.json') || !entry.isFile()) {
      continue
    }
    const content = JSON.parse(await readFile(path, 'utf8')) as { keyid?: string }
    if (content.keyid && ids.has(content.keyid)) {
      files.push(file)
    }
  }
  return files
}
