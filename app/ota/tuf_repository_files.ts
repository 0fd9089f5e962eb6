import { randomUUID } from 'node:crypto'
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  Metadata,
  MetadataKind,
  type Root,
  type Snapshot,
  type Targets,
  type Timestamp,
} from '@tufjs/models'
import type { JSONObject } from '@tufjs/models/dist/utils/types.js'
import { OtaError } from '#ota/ota_error'
import { DELEGATED_ROLES, type DelegatedRole } from '#ota/tuf_roles'

/** The current, signed metadata of every role of the repository. */
export interface RepositoryState {
  root: Metadata<Root>
  timestamp: Metadata<Timestamp>
  snapshot: Metadata<Snapshot>
  targets: Metadata<Targets>
  delegated: Record<DelegatedRole, Metadata<Targets>>
}

type AnyMetadata = Metadata<Root | Timestamp | Snapshot | Targets>

const ROOT_FILE = /^(\d+)\.root\.json$/

/**
 * The repository on disk, laid out so that any static file host can mirror it:
 *
 *     metadata/<n>.root.json            every root version, for clients to walk the chain
 *     metadata/timestamp.json           the only file ever replaced
 *     metadata/<n>.snapshot.json        consistent snapshots: never changed once written
 *     metadata/<n>.targets.json
 *     metadata/<n>.rulepacks.json
 *     metadata/<n>.app.json
 *     targets/<role>/<sha256>.<name>    target files, named by content
 *
 * Files are written beside their final name and moved into place, so a mirror never
 * serves half a file; `timestamp.json` is replaced last, which publishes a release.
 * @see https://theupdateframework.github.io/specification/latest/#consistent-snapshots
 */
export class TufRepositoryFiles {
  readonly metadataDir: string
  readonly targetsDir: string

  constructor(readonly dir: string) {
    this.metadataDir = join(dir, 'metadata')
    this.targetsDir = join(dir, 'targets')
  }

  async isInitialised(): Promise<boolean> {
    return exists(join(this.metadataDir, '1.root.json'))
  }

  /** The bytes of the newest root: the file an edge pins at enrolment. */
  async newestRoot(): Promise<Buffer> {
    const version = await this.newestRootVersion()
    return readFile(join(this.metadataDir, `${version}.root.json`))
  }

  async readState(): Promise<RepositoryState> {
    if (!(await this.isInitialised())) {
      throw OtaError.repositoryState(`No TUF repository in ${this.dir}; run init first`)
    }
    const rootFile = `${await this.newestRootVersion()}.root.json`
    const root = Metadata.fromJSON(MetadataKind.Root, await this.readJson(rootFile))
    const timestamp = Metadata.fromJSON(
      MetadataKind.Timestamp,
      await this.readJson('timestamp.json')
    )
    const snapshotVersion = timestamp.signed.snapshotMeta.version
    const snapshot = Metadata.fromJSON(
      MetadataKind.Snapshot,
      await this.readJson(`${snapshotVersion}.snapshot.json`)
    )
    const readTargets = async (role: string) => {
      const meta = snapshot.signed.meta[`${role}.json`]
      if (!meta) {
        throw OtaError.repositoryState(`Snapshot ${snapshotVersion} does not list ${role}.json`)
      }
      const json = await this.readJson(`${meta.version}.${role}.json`)
      return Metadata.fromJSON(MetadataKind.Targets, json)
    }
    const delegated = {} as Record<DelegatedRole, Metadata<Targets>>
    for (const role of Object.keys(DELEGATED_ROLES) as DelegatedRole[]) {
      delegated[role] = await readTargets(role)
    }
    return { root, timestamp, snapshot, targets: await readTargets('targets'), delegated }
  }

  /**
   * Writes signed metadata and returns the bytes written, which snapshot and timestamp
   * hash. A versioned file is never overwritten; only `timestamp.json` is replaced.
   */
  async writeMetadata(fileName: string, metadata: AnyMetadata): Promise<Buffer> {
    const bytes = Buffer.from(`${JSON.stringify(metadata.toJSON(), null, 1)}\n`)
    const path = join(this.metadataDir, fileName)
    if (fileName === 'timestamp.json') {
      await replaceFile(path, bytes)
    } else {
      await createFile(path, bytes)
    }
    return bytes
  }

  /** Writes a target file under its content-addressed name, unless it is already there. */
  async writeTarget(relativePath: string, bytes: Uint8Array): Promise<void> {
    const path = join(this.targetsDir, relativePath)
    if (!(await exists(path))) {
      await replaceFile(path, bytes)
    }
  }

  private async readJson(fileName: string) {
    const content = await readFile(join(this.metadataDir, fileName), 'utf8')
    return JSON.parse(content) as JSONObject
  }

  private async newestRootVersion(): Promise<number> {
    const files = await readdir(this.metadataDir)
    const versions = files.map((file) => Number(ROOT_FILE.exec(file)?.[1] ?? 0))
    return Math.max(0, ...versions)
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/** Writes beside `path`, then moves into place: readers see the old file or the new one. */
async function replaceFile(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = await writeTemporary(path, bytes)
  await rename(temporary, path)
}

/** Like replaceFile, but fails when `path` exists: a link is created only if absent. */
async function createFile(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = await writeTemporary(path, bytes)
  try {
    await link(temporary, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw OtaError.repositoryState(`${path} already exists: another writer published it`)
    }
    throw error
  } finally {
    await rm(temporary, { force: true })
  }
}

async function writeTemporary(path: string, bytes: Uint8Array): Promise<string> {
  await mkdir(dirname(path), { recursive: true })
  const temporary = `${path}.${randomUUID()}.tmp`
  await writeFile(temporary, bytes)
  return temporary
}
