import {
  type MetaFile,
  Root,
  Snapshot,
  Targets,
  Timestamp,
  type Key,
  type TargetFile,
} from '@tufjs/models'
import { Delegations } from '@tufjs/models/dist/delegations.js'
import { DelegatedRole as DelegatedRoleInfo, Role } from '@tufjs/models/dist/role.js'
import { OtaError } from '#ota/ota_error'
import {
  DEFAULT_EXPIRIES,
  DELEGATED_ROLES,
  TOP_LEVEL_ROLES,
  type DelegatedRole,
  type TopLevelRole,
  type TufRole,
} from '#ota/tuf_roles'
import type { TufSigner } from '#ota/tuf_signer'

/** The TUF specification version Outpost's metadata follows. */
export const SPEC_VERSION = '1.0.31'

/** The keys of a role and how many of them must sign. */
export interface KeyedRole {
  keys: readonly Key[]
  threshold: number
}

/**
 * Builds the unsigned (`signed`) part of each kind of metadata, with the expiry of its
 * role counted from now. Every version is given explicitly: TUF never defaults one.
 * @see https://theupdateframework.github.io/specification/latest/#document-formats
 */
export class TufMetadataBuilder {
  readonly #expiries: Record<TufRole, number>

  constructor(
    expiries: Partial<Record<TufRole, number>> = {},
    private readonly clock: () => Date = () => new Date()
  ) {
    this.#expiries = { ...DEFAULT_EXPIRIES, ...expiries }
  }

  /** When metadata of `role` signed now expires; TUF writes it to the second, in UTC. */
  expires(role: TufRole): string {
    const at = new Date(this.clock().getTime() + this.#expiries[role] * 1000)
    return at.toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  /** Root with consistent snapshots, listing each top-level role's keys and threshold. */
  root(version: number, roles: Record<TopLevelRole, KeyedRole>): Root {
    const keys: Record<string, Key> = {}
    const rootRoles: Record<string, Role> = {}
    for (const [name, { keys: roleKeys, threshold }] of Object.entries(roles)) {
      roleKeys.forEach((key) => (keys[key.keyID] = key))
      rootRoles[name] = new Role({ keyIDs: roleKeys.map((key) => key.keyID), threshold })
    }
    return new Root({
      version,
      specVersion: SPEC_VERSION,
      expires: this.expires('root'),
      keys,
      roles: rootRoles,
      consistentSnapshot: true,
    })
  }

  /** The next version of a targets role: same content unless `changes` says otherwise. */
  nextTargets(
    role: 'targets' | DelegatedRole,
    current: Targets | undefined,
    changes: { targets?: Record<string, TargetFile>; delegations?: Delegations } = {}
  ): Targets {
    return new Targets({
      version: (current?.version ?? 0) + 1,
      specVersion: SPEC_VERSION,
      expires: this.expires(role),
      targets: changes.targets ?? current?.targets ?? {},
      delegations: changes.delegations ?? current?.delegations,
    })
  }

  snapshot(version: number, meta: Record<string, MetaFile>): Snapshot {
    return new Snapshot({
      version,
      specVersion: SPEC_VERSION,
      expires: this.expires('snapshot'),
      meta,
    })
  }

  timestamp(version: number, snapshotMeta: MetaFile): Timestamp {
    return new Timestamp({
      version,
      specVersion: SPEC_VERSION,
      expires: this.expires('timestamp'),
      snapshotMeta,
    })
  }
}

export function expiresBefore(signed: { expires: string }, isoTime: string): boolean {
  return Date.parse(signed.expires) < Date.parse(isoTime)
}

export function checkedThreshold(role: TufRole, threshold: number, keys: readonly Key[]): number {
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys.length) {
    throw OtaError.invalidThreshold(role, threshold, keys.length)
  }
  return threshold
}

export function keyedFor(role: TufRole, signer: TufSigner, threshold: number): KeyedRole {
  return { keys: signer.keys, threshold: checkedThreshold(role, threshold, signer.keys) }
}

export function rootKeyedRoles(root: Root): Record<TopLevelRole, KeyedRole> {
  const entries = TOP_LEVEL_ROLES.map((name) => {
    const role = root.roles[name]
    return [name, { keys: role.keyIDs.map((id) => root.keys[id]), threshold: role.threshold }]
  })
  return Object.fromEntries(entries) as Record<TopLevelRole, KeyedRole>
}

export function delegatedKeyedRoles(delegations?: Delegations): Record<DelegatedRole, KeyedRole> {
  const names = Object.keys(DELEGATED_ROLES) as DelegatedRole[]
  const entries = names.map((name) => {
    const role = delegations?.roles?.[name]
    if (!role || !delegations) {
      throw OtaError.repositoryState(`targets does not delegate to ${name}`)
    }
    return [
      name,
      { keys: role.keyIDs.map((id) => delegations.keys[id]), threshold: role.threshold },
    ]
  })
  return Object.fromEntries(entries) as Record<DelegatedRole, KeyedRole>
}

/** The delegations of `targets`: each role with its keys, threshold and paths. */
export function delegationsOf(roles: Record<DelegatedRole, KeyedRole>): Delegations {
  const keys: Record<string, Key> = {}
  const delegated: Record<string, DelegatedRoleInfo> = {}
  for (const [name, { keys: roleKeys, threshold }] of Object.entries(roles) as [
    DelegatedRole,
    KeyedRole,
  ][]) {
    roleKeys.forEach((key) => (keys[key.keyID] = key))
    delegated[name] = new DelegatedRoleInfo({
      name,
      keyIDs: roleKeys.map((key) => key.keyID),
      threshold,
      terminating: DELEGATED_ROLES[name].terminating,
      paths: [...DELEGATED_ROLES[name].paths],
    })
  }
  return new Delegations({ keys, roles: delegated })
}
