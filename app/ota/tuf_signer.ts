import { sign } from 'node:crypto'
import { Signature, type Key } from '@tufjs/models'
import type { RoleKey } from '#ota/ota_keys'

/**
 * Signs the metadata of one role. The repository only ever sees public keys and
 * signatures, so a role's private keys can live elsewhere: root's offline, timestamp's
 * on the iCDR that re-signs it every day.
 * @see https://theupdateframework.github.io/specification/latest/#file-formats-object-format
 */
export abstract class TufSigner {
  /** The public keys this signer signs with, as root or a delegation lists them. */
  abstract readonly keys: readonly Key[]

  /** One signature per key over `payload`, the canonical JSON of the `signed` object. */
  abstract sign(payload: Buffer): Promise<Signature[]>
}

/** Signs with Ed25519 keys held in this process (read from key files). */
export class LocalKeySigner extends TufSigner {
  readonly keys: readonly Key[]

  constructor(private readonly roleKeys: readonly RoleKey[]) {
    super()
    this.keys = roleKeys.map((key) => key.publicKey)
  }

  async sign(payload: Buffer): Promise<Signature[]> {
    return this.roleKeys.map(
      (key) =>
        new Signature({
          keyID: key.publicKey.keyID,
          sig: sign(null, payload, key.privateKey).toString('hex'),
        })
    )
  }
}
