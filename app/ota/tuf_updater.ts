import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { Metadata, MetadataKind, type TargetFile, type Targets } from '@tufjs/models'
import type { DelegatedRole } from '@tufjs/models/dist/role.js'
import { Updater } from 'tuf-js'
import { OtaError, toOtaError } from '#ota/ota_error'

export interface OtaUpdaterOptions {
  /** The edge's trusted metadata; starts with the pinned `root.json` (see `pinRoot`). */
  metadataDir: string
  /** Verified targets, one file per target path. */
  targetDir: string
  metadataBaseUrl: string
  targetBaseUrl: string
  /** Targets signed as larger than this are refused before any byte is fetched. */
  maxTargetBytes?: number
  /** Per request, body included. */
  fetchTimeoutMs?: number
  fetchRetries?: number
  userAgent?: string
}

/** A target as a trusted role signed it. */
export interface OtaTarget {
  path: string
  length: number
  sha256: string
  custom: Record<string, unknown>
}

export interface OtaDownload {
  target: OtaTarget
  /** The verified copy in the target directory. */
  file: string
  bytes: Buffer
}

const DEFAULT_MAX_TARGET_BYTES = 64 * 1024 * 1024
const DEFAULT_FETCH_TIMEOUT_MS = 30_000

/**
 * The edge side of over-the-air distribution: a tuf-js client that starts from a pinned
 * root, follows the root chain, and trusts a target only after timestamp, snapshot,
 * targets and the delegated role that owns its path have been verified. Stale, rolled
 * back or tampered metadata ends in an OtaError and leaves the trusted metadata as it
 * was: "no update", never "accept".
 * @see https://theupdateframework.github.io/specification/latest/#detailed-client-workflow
 */
export class OtaUpdater {
  #session?: Updater

  constructor(private readonly options: OtaUpdaterOptions) {}

  /**
   * Installs the root an edge received at enrolment as its first trusted metadata.
   * Returns false, changing nothing, when the edge already trusts a root: from then on
   * only the verified root chain may replace it.
   */
  static async pinRoot(metadataDir: string, root: Uint8Array): Promise<boolean> {
    await mkdir(metadataDir, { recursive: true })
    try {
      await writeFile(join(metadataDir, 'root.json'), root, { flag: 'wx' })
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        return false
      }
      throw error
    }
  }

  /**
   * Updates root, timestamp, snapshot and targets from the repository. Each call starts a
   * new session, so expiry is judged against the time of this call.
   * @see https://theupdateframework.github.io/specification/latest/#update-root
   */
  async refresh(): Promise<void> {
    this.#session = undefined
    const session = this.#newSession()
    await guard(() => session.refresh())
    this.#session = session
  }

  /**
   * The targets under `prefix` (e.g. `rulepacks/`) that TUF resolves through the
   * delegations: a target listed by a role not delegated its path is left out.
   */
  async listTargets(prefix = ''): Promise<OtaTarget[]> {
    const session = await this.#current()
    return guard(async () => {
      const listed: OtaTarget[] = []
      for (const path of await this.#candidates(session, prefix)) {
        const info = await session.getTargetInfo(path)
        if (info) {
          listed.push(otaTarget(info))
        }
      }
      return listed
    })
  }

  /**
   * The verified bytes of a target, from the target directory when a verified copy is
   * there, else downloaded. The download lands beside the cache and is moved in only
   * after its length and hashes match: a cut or tampered download leaves nothing behind.
   * @see https://theupdateframework.github.io/specification/latest/#fetch-target
   */
  async download(path: string): Promise<OtaDownload> {
    const session = await this.#current()
    const info = await guard(() => session.getTargetInfo(path))
    if (!info) {
      throw await this.#whyMissing(session, path)
    }
    const limit = this.options.maxTargetBytes ?? DEFAULT_MAX_TARGET_BYTES
    if (info.length > limit) {
      throw OtaError.tooLarge(path, info.length, limit)
    }
    await mkdir(this.options.targetDir, { recursive: true })
    const file = join(this.options.targetDir, encodeURIComponent(path))
    const cached = await readVerified(info, file)
    if (cached) {
      return { target: otaTarget(info), file, bytes: cached }
    }
    const partial = `${file}.partial`
    try {
      await session.downloadTarget(info, partial)
      await rename(partial, file)
    } catch (error) {
      throw toOtaError(error)
    } finally {
      await rm(partial, { force: true })
    }
    const bytes = await readVerified(info, file)
    if (!bytes) {
      throw new OtaError('E_OTA_FAILED', `The downloaded ${path} changed in the target directory`)
    }
    return { target: otaTarget(info), file, bytes }
  }

  #newSession(): Updater {
    const { metadataDir, targetDir, metadataBaseUrl, targetBaseUrl } = this.options
    try {
      return new Updater({
        metadataDir,
        targetDir,
        metadataBaseUrl,
        targetBaseUrl,
        config: {
          fetchTimeout: this.options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
          fetchRetry: this.options.fetchRetries ?? 0,
          userAgent: this.options.userAgent ?? 'outpost-edge',
        },
      })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw OtaError.noTrustedRoot(metadataDir, error)
      }
      throw toOtaError(error)
    }
  }

  async #current(): Promise<Updater> {
    if (!this.#session) {
      await this.refresh()
    }
    return this.#session!
  }

  /**
   * Target paths under `prefix` listed by top-level targets or by a role it delegates.
   * tuf-js loads a delegated role only while resolving a path, so each role that may
   * hold such paths is loaded by resolving a path of its own pattern; its metadata is
   * then the verified copy tuf-js keeps in the metadata directory. These are only
   * candidates: listTargets resolves each one again through the delegations.
   */
  async #candidates(session: Updater, prefix: string): Promise<string[]> {
    const top = await this.#trusted('targets')
    const paths = new Set(Object.keys(top?.signed.targets ?? {}))
    for (const role of Object.values(top?.signed.delegations?.roles ?? {})) {
      if (mayHoldPathsUnder(role, prefix)) {
        const delegated = await this.#loadDelegated(session, role)
        Object.keys(delegated?.signed.targets ?? {}).forEach((path) => paths.add(path))
      }
    }
    return [...paths].filter((path) => path.startsWith(prefix)).sort()
  }

  async #loadDelegated(session: Updater, role: DelegatedRole) {
    for (const pattern of role.paths ?? []) {
      await session.getTargetInfo(pattern.replaceAll(/[*?]/g, '_'))
    }
    return this.#trusted(role.name)
  }

  /** Not found, or listed only by a role that is not delegated the path. */
  async #whyMissing(session: Updater, path: string): Promise<OtaError> {
    const top = await this.#trusted('targets')
    for (const role of Object.values(top?.signed.delegations?.roles ?? {})) {
      const delegated = await this.#loadDelegated(session, role).catch(() => undefined)
      if (delegated?.signed.targets[path]) {
        return OtaError.notDelegated(path, role.name)
      }
    }
    return OtaError.notFound(path)
  }

  /** Metadata of a targets role as tuf-js persisted it after verifying it. */
  async #trusted(role: string): Promise<Metadata<Targets> | undefined> {
    let content: string
    try {
      content = await readFile(
        join(this.options.metadataDir, `${encodeURIComponent(role)}.json`),
        'utf8'
      )
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined
      }
      throw error
    }
    return Metadata.fromJSON(MetadataKind.Targets, JSON.parse(content))
  }
}

async function guard<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task()
  } catch (error) {
    throw toOtaError(error)
  }
}

function otaTarget(info: TargetFile): OtaTarget {
  return { path: info.path, length: info.length, sha256: info.hashes.sha256, custom: info.custom }
}

/** Whether a delegation's path patterns can match paths that start with `prefix`. */
function mayHoldPathsUnder(role: DelegatedRole, prefix: string): boolean {
  if (!role.paths) {
    return true
  }
  return role.paths.some((pattern) => {
    const [literal] = pattern.split(/[*?[{]/, 1)
    return literal.startsWith(prefix) || prefix.startsWith(literal)
  })
}

/** The file's bytes if they match the signed length and hashes; undefined if absent. */
async function readVerified(info: TargetFile, file: string): Promise<Buffer | undefined> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined
    }
    throw error
  }
  try {
    await info.verify(Readable.from([bytes]))
    return bytes
  } catch {
    return undefined
  }
}
