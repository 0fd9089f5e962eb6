import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Key } from '@tufjs/models'
import { canonicalJson } from '#ota/canonical_json'
import { isTufRole, TUF_ROLES, type TufRole } from '#ota/tuf_roles'

/** One Ed25519 signing key of a role: the public half as TUF lists it, the private half. */
export interface RoleKey {
  role: TufRole
  /** The TUF public key; its `keyID` names it in root and delegations. */
  publicKey: Key
  privateKey: KeyObject
}

/** A key file: `storage/keys/<role>-<n>.json`. */
export interface RoleKeyFile {
  role: TufRole
  keyid: string
  keytype: 'ed25519'
  scheme: 'ed25519'
  keyval: { public: string }
  /** PKCS#8 PEM. */
  private: string
}

const KEY_FILE = /^(?<role>[a-z]+)-(?<index>\d+)\.json$/

/**
 * A key id: the sha256 of the canonical JSON of the key's keytype, scheme and keyval.
 * @see https://theupdateframework.github.io/specification/latest/#file-formats-keys
 */
export function keyIdOf(key: { keytype: string; scheme: string; keyval: Record<string, string> }) {
  const { keytype, scheme, keyval } = key
  return createHash('sha256').update(canonicalJson({ keytype, scheme, keyval })).digest('hex')
}

/**
 * An Ed25519 public key in TUF form: the raw 32 bytes as hex, with its computed key id.
 * @see https://theupdateframework.github.io/specification/latest/#file-formats-keys
 */
export function tufPublicKey(publicKey: KeyObject): Key {
  const { x } = publicKey.export({ format: 'jwk' })
  if (publicKey.asymmetricKeyType !== 'ed25519' || !x) {
    throw new TypeError('TUF keys of Outpost are Ed25519 keys')
  }
  const keyval = { public: Buffer.from(x, 'base64url').toString('hex') }
  const keyID = keyIdOf({ keytype: 'ed25519', scheme: 'ed25519', keyval })
  return new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal: keyval })
}

/** `count` fresh Ed25519 keys for `role`. */
export function generateRoleKeys(role: TufRole, count = 1): RoleKey[] {
  return Array.from({ length: count }, () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    return { role, publicKey: tufPublicKey(publicKey), privateKey }
  })
}

export function toKeyFile(key: RoleKey): RoleKeyFile {
  return {
    role: key.role,
    keyid: key.publicKey.keyID,
    keytype: 'ed25519',
    scheme: 'ed25519',
    keyval: { public: key.publicKey.keyVal.public },
    private: key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  }
}

/**
 * Reads a key file back. The key id and the public key are derived again from the private
 * key, so a file whose halves do not belong together is refused.
 */
export function fromKeyFile(json: unknown): RoleKey {
  const file = json as Partial<RoleKeyFile> | null
  if (!file || typeof file.private !== 'string' || typeof file.role !== 'string') {
    throw new TypeError('A key file needs a role and a private key')
  }
  if (!isTufRole(file.role)) {
    throw new TypeError(`Unknown role ${file.role} in key file`)
  }
  const privateKey = createPrivateKey(file.private)
  const publicKey = tufPublicKey(createPublicKey(privateKey))
  if (file.keyid !== publicKey.keyID || file.keyval?.public !== publicKey.keyVal.public) {
    throw new TypeError(`The key file of ${file.role} does not match its private key`)
  }
  return { role: file.role, publicKey, privateKey }
}

/**
 * Writes keys as `<role>-<n>.json` (mode 0600), numbering on from the keys of that role
 * already in `dir`. An existing key file is never overwritten.
 */
export async function saveRoleKeys(dir: string, keys: readonly RoleKey[]): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const next = new Map<TufRole, number>()
  for (const entry of await keyFileEntries(dir)) {
    next.set(entry.role, Math.max(next.get(entry.role) ?? 1, entry.index + 1))
  }
  const written: string[] = []
  for (const key of keys) {
    const index = next.get(key.role) ?? 1
    next.set(key.role, index + 1)
    const path = join(dir, `${key.role}-${index}.json`)
    await writeFile(path, `${JSON.stringify(toKeyFile(key), null, 2)}\n`, {
      flag: 'wx',
      mode: 0o600,
    })
    written.push(path)
  }
  return written
}

/** The keys of every role found in `dir`, in file order (`timestamp-1`, `timestamp-2`...). */
export async function loadKeySet(dir: string): Promise<Partial<Record<TufRole, RoleKey[]>>> {
  const keySet: Partial<Record<TufRole, RoleKey[]>> = {}
  for (const entry of await keyFileEntries(dir)) {
    const content = await readFile(join(dir, entry.file), 'utf8')
    const key = fromKeyFile(JSON.parse(content))
    if (key.role !== entry.role) {
      throw new TypeError(`${entry.file} holds a key of the ${key.role} role`)
    }
    keySet[entry.role] = [...(keySet[entry.role] ?? []), key]
  }
  return keySet
}

/** The keys of one role found in `dir`. */
export async function loadRoleKeys(dir: string, role: TufRole): Promise<RoleKey[]> {
  const keySet = await loadKeySet(dir)
  return keySet[role] ?? []
}

async function keyFileEntries(dir: string) {
  let files: string[]
  try {
    files = await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return []
    }
    throw error
  }
  return files
    .map((file) => ({ file, match: KEY_FILE.exec(file)?.groups }))
    .filter(({ match }) => match !== undefined && Object.hasOwn(TUF_ROLES, match.role))
    .map(({ file, match }) => ({
      file,
      role: match!.role as TufRole,
      index: Number(match!.index),
    }))
    .sort((a, b) => a.role.localeCompare(b.role) || a.index - b.index)
}
