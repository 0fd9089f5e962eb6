import { createHash } from 'node:crypto'
import {
  Metadata,
  MetaFile,
  TargetFile,
  type Root,
  type Snapshot,
  type Targets,
  type Timestamp,
} from '@tufjs/models'
import type { JSONValue } from '@tufjs/models/dist/utils/types.js'
import { canonicalJson } from '#ota/canonical_json'
import { OtaError } from '#ota/ota_error'
import {
  checkedThreshold,
  delegatedKeyedRoles,
  delegationsOf,
  expiresBefore,
  keyedFor,
  rootKeyedRoles,
  TufMetadataBuilder,
  type KeyedRole,
} from '#ota/tuf_metadata_builder'
import { TufRepositoryFiles, type RepositoryState } from '#ota/tuf_repository_files'
import { DELEGATED_ROLES, isDelegatedRole, type DelegatedRole, type TufRole } from '#ota/tuf_roles'
import type { TufSigner } from '#ota/tuf_signer'

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/

/** Free-form data signed with a target, e.g. `{ packId, version, channel }`. */
export type TargetCustom = Record<string, JSONValue>

export interface TufRepositoryOptions {
  /** Holds `metadata/` and `targets/`; see TufRepositoryFiles for the layout. */
  dir: string
  /** The signers this process holds; an operation fails when it needs one that is absent. */
  signers: Partial<Record<TufRole, TufSigner>>
  /** Seconds that newly signed metadata of each role stays valid. */
  expiries?: Partial<Record<TufRole, number>>
  clock?: () => Date
}

export interface TufInitOptions {
  /** Signatures required per role; 1 unless given. */
  thresholds?: Partial<Record<TufRole, number>>
}

export interface PublishedTarget {
  /** The TUF target path: `rulepacks/who-epi-immunization-1.2.0.json`. */
  path: string
  role: DelegatedRole
  length: number
  sha256: string
  custom: Record<string, unknown>
  /** Where the bytes are, relative to the repository directory. */
  file: string
}

interface TargetsChanges {
  targets?: Targets
  delegated?: Partial<Record<DelegatedRole, Targets>>
}

/**
 * The iCDR's TUF repository: builds and signs the metadata of root, targets (delegating
 * `rulepacks/*` and `app/*`), snapshot and timestamp, and keeps it with the target files
 * in a directory that a plain static host can serve. Every change ends with a new
 * snapshot and timestamp, the step that makes it visible to edges.
 * @see https://theupdateframework.github.io/specification/latest/#repository-operations
 */
export class TufRepository {
  readonly files: TufRepositoryFiles
  #signers: Partial<Record<TufRole, TufSigner>>
  #builder: TufMetadataBuilder
  #pending: Promise<unknown> = Promise.resolve()

  constructor(options: TufRepositoryOptions) {
    this.files = new TufRepositoryFiles(options.dir)
    this.#signers = { ...options.signers }
    this.#builder = new TufMetadataBuilder(options.expiries, options.clock)
  }

  /** Writes version 1 of every role, with the keys of the configured signers. */
  init(options: TufInitOptions = {}): Promise<void> {
    return this.#exclusive(async () => {
      if (await this.files.isInitialised()) {
        throw OtaError.repositoryState(`${this.files.dir} already holds a TUF repository`)
      }
      const keyed = (role: TufRole): KeyedRole => {
        const keys = this.#signer(role).keys
        return { keys, threshold: checkedThreshold(role, options.thresholds?.[role] ?? 1, keys) }
      }
      const root = this.#builder.root(1, {
        root: keyed('root'),
        targets: keyed('targets'),
        snapshot: keyed('snapshot'),
        timestamp: keyed('timestamp'),
      })
      await this.#write('root', root)
      const delegations = delegationsOf({ rulepacks: keyed('rulepacks'), app: keyed('app') })
      await this.#release(undefined, {
        targets: this.#builder.nextTargets('targets', undefined, { delegations }),
        delegated: {
          rulepacks: this.#builder.nextTargets('rulepacks', undefined),
          app: this.#builder.nextTargets('app', undefined),
        },
      })
    })
  }

  /** The newest root metadata, as an edge pins it. */
  trustedRoot(): Promise<Buffer> {
    return this.files.newestRoot()
  }

  /** The targets signed by one delegated role, or by all of them. */
  async listTargets(role?: DelegatedRole): Promise<PublishedTarget[]> {
    const state = await this.files.readState()
    const roles = role ? [role] : (Object.keys(DELEGATED_ROLES) as DelegatedRole[])
    return roles.flatMap((name) =>
      Object.values(state.delegated[name].signed.targets).map((target) => published(name, target))
    )
  }

  /**
   * Publishes `bytes` as `<role>/<name>`: writes the target file, signs a new version of
   * the role, then a new snapshot and timestamp. `custom` is signed with the target.
   * @see https://theupdateframework.github.io/specification/latest/#adding-updating-targets
   */
  addTarget(
    role: DelegatedRole,
    name: string,
    bytes: Uint8Array,
    custom: TargetCustom = {}
  ): Promise<PublishedTarget> {
    return this.#exclusive(async () => {
      const state = await this.files.readState()
      const path = targetPath(state, role, name)
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      await this.files.writeTarget(`${role}/${sha256}.${name}`, bytes)
      const target = new TargetFile({
        path,
        length: bytes.byteLength,
        hashes: { sha256 },
        unrecognizedFields: Object.keys(custom).length > 0 ? { custom } : {},
      })
      const current = state.delegated[role].signed
      const next = this.#builder.nextTargets(role, current, {
        targets: { ...current.targets, [path]: target },
      })
      await this.#release(state, { delegated: { [role]: next } })
      return published(role, target)
    })
  }

  /** Stops listing `<role>/<name>`; false when it was not listed. The file stays for mirrors. */
  removeTarget(role: DelegatedRole, name: string): Promise<boolean> {
    return this.#exclusive(async () => {
      const state = await this.files.readState()
      const path = targetPath(state, role, name)
      const { [path]: removed, ...rest } = state.delegated[role].signed.targets
      if (!removed) {
        return false
      }
      const next = this.#builder.nextTargets(role, state.delegated[role].signed, { targets: rest })
      await this.#release(state, { delegated: { [role]: next } })
      return true
    })
  }

  /**
   * Signs a new timestamp over the current snapshot: the scheduled job that keeps edges
   * updating. Returns when the new timestamp expires.
   * @see https://theupdateframework.github.io/specification/latest/#update-timestamp-metadata
   */
  refreshTimestamp(): Promise<Date> {
    return this.resign('timestamp')
  }

  /**
   * Signs a new version of `role` with a fresh expiry, followed by whatever must change
   * with it (snapshot and timestamp). Returns when the role's new metadata expires.
   */
  resign(role: TufRole): Promise<Date> {
    return this.#exclusive(async () => {
      await this.#resign(await this.files.readState(), role)
      const state = await this.files.readState()
      const written = {
        root: state.root,
        timestamp: state.timestamp,
        snapshot: state.snapshot,
        targets: state.targets,
        ...state.delegated,
      }
      return new Date(written[role].signed.expires)
    })
  }

  /**
   * Replaces the keys of `role` with those of `signer`. A top-level role's keys live in
   * root, so a new root version is signed (for root itself by the old and the new keys,
   * so that clients can follow the chain); a delegated role's keys live in `targets`.
   * The role is then signed again with its new keys.
   * @see https://theupdateframework.github.io/specification/latest/#key-management-and-migration
   */
  rotateKeys(role: TufRole, signer: TufSigner, threshold?: number): Promise<void> {
    return this.#exclusive(async () => {
      const state = await this.files.readState()
      if (isDelegatedRole(role)) {
        const current = state.targets.signed
        const roles = delegatedKeyedRoles(current.delegations)
        roles[role] = keyedFor(role, signer, threshold ?? roles[role].threshold)
        const targets = this.#builder.nextTargets('targets', current, {
          delegations: delegationsOf(roles),
        })
        this.#signers[role] = signer
        await this.#release(state, {
          targets,
          delegated: { [role]: this.#builder.nextTargets(role, state.delegated[role].signed) },
        })
        return
      }
      const current = state.root.signed
      const roles = rootKeyedRoles(current)
      roles[role] = keyedFor(role, signer, threshold ?? roles[role].threshold)
      const root = this.#builder.root(current.version + 1, roles)
      await this.#write('root', root, role === 'root' ? [signer] : [])
      this.#signers[role] = signer
      if (role !== 'root') {
        await this.#resign(state, role)
      }
    })
  }

  async #resign(state: RepositoryState, role: TufRole): Promise<void> {
    switch (role) {
      case 'root': {
        const current = state.root.signed
        await this.#write('root', this.#builder.root(current.version + 1, rootKeyedRoles(current)))
        return
      }
      case 'timestamp': {
        const snapshot = state.snapshot.signed
        if (expiresBefore(snapshot, this.#builder.expires('timestamp')) && this.#signers.snapshot) {
          await this.#release(state, {})
          return
        }
        const { version, snapshotMeta } = state.timestamp.signed
        await this.#write('timestamp', this.#builder.timestamp(version + 1, snapshotMeta))
        return
      }
      case 'snapshot':
        await this.#release(state, {})
        return
      case 'targets':
      case 'rulepacks':
      case 'app': {
        const current = role === 'targets' ? state.targets.signed : state.delegated[role].signed
        const next = this.#builder.nextTargets(role, current)
        await this.#release(
          state,
          role === 'targets' ? { targets: next } : { delegated: { [role]: next } }
        )
        return
      }
      default:
        role satisfies never
    }
  }

  /**
   * Signs the changed targets roles, then a snapshot listing every targets role and a
   * timestamp pointing at it. A role that would expire before the new snapshot is signed
   * again on the way, when its signer is here.
   */
  async #release(state: RepositoryState | undefined, changes: TargetsChanges): Promise<void> {
    const changed: Partial<Record<'targets' | DelegatedRole, Targets>> = {
      ...changes.delegated,
      ...(changes.targets ? { targets: changes.targets } : {}),
    }
    const snapshotExpires = this.#builder.expires('snapshot')
    if (state) {
      const current = { targets: state.targets, ...state.delegated }
      const roles = Object.keys(current) as (keyof typeof current)[]
      for (const role of roles) {
        const signed = current[role].signed
        if (!changed[role] && expiresBefore(signed, snapshotExpires) && this.#signers[role]) {
          changed[role] = this.#builder.nextTargets(role, signed)
        }
      }
    }
    const meta = { ...state?.snapshot.signed.meta }
    for (const [role, signed] of Object.entries(changed) as [TufRole, Targets][]) {
      meta[`${role}.json`] = await this.#write(role, signed)
    }
    const snapshot = this.#builder.snapshot((state?.snapshot.signed.version ?? 0) + 1, meta)
    const snapshotMeta = await this.#write('snapshot', snapshot)
    const timestampVersion = (state?.timestamp.signed.version ?? 0) + 1
    await this.#write('timestamp', this.#builder.timestamp(timestampVersion, snapshotMeta))
  }

  /**
   * Signs `signed` with the role's signer (and `alsoBy`) and writes it under its
   * consistent-snapshot name. Returns what snapshot or timestamp record about the file.
   */
  async #write(
    role: TufRole,
    signed: Root | Timestamp | Snapshot | Targets,
    alsoBy: TufSigner[] = []
  ): Promise<MetaFile> {
    const metadata = new Metadata(signed)
    const payload = Buffer.from(canonicalJson(signed.toJSON()))
    for (const signer of [this.#signer(role), ...alsoBy]) {
      for (const signature of await signer.sign(payload)) {
        metadata.signatures[signature.keyID] = signature
      }
    }
    const fileName = role === 'timestamp' ? 'timestamp.json' : `${signed.version}.${role}.json`
    const bytes = await this.files.writeMetadata(fileName, metadata)
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    return new MetaFile({ version: signed.version, length: bytes.length, hashes: { sha256 } })
  }

  #signer(role: TufRole): TufSigner {
    const signer = this.#signers[role]
    if (!signer) {
      throw OtaError.signerMissing(role)
    }
    return signer
  }

  /** Repository changes run one at a time: each reads the state the previous one wrote. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#pending.then(task, task)
    this.#pending = run.catch(() => undefined)
    return run
  }
}

function targetPath(state: RepositoryState, role: DelegatedRole, name: string): string {
  if (!TARGET_NAME.test(name)) {
    throw OtaError.invalidTarget(`"${name}" is not a target file name`)
  }
  const path = `${role}/${name}`
  const delegation = state.targets.signed.delegations?.roles?.[role]
  if (!delegation?.isDelegatedPath(path)) {
    throw OtaError.invalidTarget(`${path} is not delegated to the ${role} role`)
  }
  return path
}

function published(role: DelegatedRole, target: TargetFile): PublishedTarget {
  const sha256 = target.hashes.sha256
  const name = target.path.slice(target.path.lastIndexOf('/') + 1)
  return {
    path: target.path,
    role,
    length: target.length,
    sha256,
    custom: target.custom,
    file: `targets/${role}/${sha256}.${name}`,
  }
}
