import { randomBytes } from 'node:crypto'

/** The header the core's shell secret check reads (app/middleware/shell_secret_middleware.ts). */
export const SECRET_HEADER = 'SDB-Magic'

/** 256 bits: guessing is hopeless and the core compares digests in constant time. */
export const SECRET_BYTES = 32

/**
 * A new secret for this launch only. base64url keeps it to header-safe
 * characters, so it can travel in `SDB-Magic` and in a user agent token.
 */
export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url')
}
