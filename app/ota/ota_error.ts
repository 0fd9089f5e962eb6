import {
  LengthOrHashMismatchError,
  UnsignedMetadataError,
  ValueError as ModelValueError,
  RepositoryError as ModelRepositoryError,
} from '@tufjs/models/dist/error.js'
import {
  BadVersionError,
  DownloadHTTPError,
  DownloadLengthMismatchError,
  ExpiredMetadataError,
  RepositoryError,
  RuntimeError,
} from 'tuf-js/dist/error.js'

/**
 * Stable error codes of over-the-air distribution and the HTTP status each answers with.
 * Failures of what the iCDR or a mirror served are 502: the edge refused the update, and
 * "no update" is the safe outcome.
 */
export const OTA_ERROR_STATUSES = {
  /** The repository could not be reached, answered with an HTTP error or timed out. */
  E_OTA_UNREACHABLE: 503,
  /** Metadata is past its expiry: a freeze attack or a repository that stopped re-signing. */
  E_OTA_EXPIRED: 502,
  /** Metadata older than what the edge already trusts, or versions that do not agree. */
  E_OTA_ROLLBACK: 502,
  /** Metadata is not signed by a threshold of the keys its delegator names. */
  E_OTA_BAD_SIGNATURE: 502,
  /** Bytes do not match the length or hashes signed for them. */
  E_OTA_TAMPERED: 502,
  /** More bytes than signed, or than the edge accepts. */
  E_OTA_TOO_LARGE: 502,
  /** A target is listed by a role that is not delegated its path. */
  E_OTA_NOT_DELEGATED: 502,
  /** Metadata that cannot be parsed or is incomplete. */
  E_OTA_INVALID_METADATA: 502,
  /** No trusted role lists the target. */
  E_OTA_NOT_FOUND: 404,
  /** The edge has no pinned root to start from. */
  E_OTA_NO_TRUSTED_ROOT: 500,
  /** The repository refuses to publish this target. */
  E_OTA_INVALID_TARGET: 422,
  /** A role's keys cannot meet its signature threshold. */
  E_OTA_INVALID_THRESHOLD: 422,
  /** The repository has no signer for a role it must sign. */
  E_OTA_SIGNER_MISSING: 500,
  /** The repository is not initialised, or already is. */
  E_OTA_REPOSITORY_STATE: 409,
  /** Anything else: a local disk error or a bug. */
  E_OTA_FAILED: 500,
} as const

export type OtaErrorCode = keyof typeof OTA_ERROR_STATUSES

/**
 * An error of over-the-air distribution: a stable `code` and the HTTP `status` it answers
 * with. The original error, when there is one, is the `cause`.
 */
export class OtaError extends Error {
  readonly status: number

  constructor(
    readonly code: OtaErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'OtaError'
    this.status = OTA_ERROR_STATUSES[code]
  }

  static notFound(path: string): OtaError {
    return new OtaError('E_OTA_NOT_FOUND', `No trusted role lists the target ${path}`)
  }

  /**
   * A role lists a target outside the paths it was delegated; TUF clients must ignore it.
   * @see https://theupdateframework.github.io/specification/latest/#file-formats-targets
   */
  static notDelegated(path: string, role: string): OtaError {
    return new OtaError(
      'E_OTA_NOT_DELEGATED',
      `The role ${role} lists ${path}, but that path is not delegated to it`
    )
  }

  static tooLarge(path: string, length: number, limit: number): OtaError {
    return new OtaError(
      'E_OTA_TOO_LARGE',
      `The target ${path} is ${length} bytes, more than the limit of ${limit} bytes`
    )
  }

  static noTrustedRoot(metadataDir: string, cause: unknown): OtaError {
    return new OtaError('E_OTA_NO_TRUSTED_ROOT', `No pinned root.json in ${metadataDir}`, {
      cause,
    })
  }

  static invalidTarget(message: string): OtaError {
    return new OtaError('E_OTA_INVALID_TARGET', message)
  }

  static invalidThreshold(role: string, threshold: number, keyCount: number): OtaError {
    return new OtaError(
      'E_OTA_INVALID_THRESHOLD',
      `The ${role} threshold must be between 1 and its ${keyCount} key(s), not ${threshold}`
    )
  }

  static signerMissing(role: string): OtaError {
    return new OtaError('E_OTA_SIGNER_MISSING', `No signer is configured for the ${role} role`)
  }

  static repositoryState(message: string): OtaError {
    return new OtaError('E_OTA_REPOSITORY_STATE', message)
  }
}

/**
 * tuf-js 6 rethrows failures of the snapshot and targets steps as a bare `RuntimeError`
 * that keeps only the original message, so those are recognised by the messages of
 * tuf-js and @tufjs/models. Checked in order; the first match wins.
 */
const WRAPPED_FAILURES: ReadonlyArray<readonly [RegExp, OtaErrorCode]> = [
  [/ is expired/, 'E_OTA_EXPIRED'],
  [/ was signed by \d+\/\d+ keys/, 'E_OTA_BAD_SIGNATURE'],
  [/Expected (length|hash) |Hash algorithm \S+ not supported/, 'E_OTA_TAMPERED'],
  [/version \d+ .*(is less than|does not match)|version doesn't match/i, 'E_OTA_ROLLBACK'],
  [/Max length reached/, 'E_OTA_TOO_LARGE'],
  [/Failed to download|fetch failed|terminated|aborted|timeout/i, 'E_OTA_UNREACHABLE'],
]

/**
 * Any error met while refreshing metadata or downloading a target, as an OtaError whose
 * code names the failure family of the TUF client workflow.
 * @see https://theupdateframework.github.io/specification/latest/#detailed-client-workflow
 */
export function toOtaError(error: unknown): OtaError {
  if (error instanceof OtaError) {
    return error
  }
  const code = classify(error)
  const message = error instanceof Error ? error.message : String(error)
  return new OtaError(code, message, { cause: error })
}

function classify(error: unknown): OtaErrorCode {
  if (error instanceof ExpiredMetadataError) {
    return 'E_OTA_EXPIRED'
  }
  if (error instanceof BadVersionError) {
    return 'E_OTA_ROLLBACK'
  }
  if (error instanceof UnsignedMetadataError) {
    return 'E_OTA_BAD_SIGNATURE'
  }
  if (error instanceof LengthOrHashMismatchError) {
    return 'E_OTA_TAMPERED'
  }
  if (error instanceof DownloadLengthMismatchError) {
    return 'E_OTA_TOO_LARGE'
  }
  if (error instanceof DownloadHTTPError || isNetworkFailure(error)) {
    return 'E_OTA_UNREACHABLE'
  }
  if (error instanceof RuntimeError) {
    const known = WRAPPED_FAILURES.find(([pattern]) => pattern.test(error.message))
    return known ? known[1] : 'E_OTA_INVALID_METADATA'
  }
  if (
    error instanceof SyntaxError ||
    error instanceof TypeError ||
    error instanceof RepositoryError ||
    error instanceof ModelRepositoryError ||
    error instanceof ModelValueError
  ) {
    return 'E_OTA_INVALID_METADATA'
  }
  return 'E_OTA_FAILED'
}

/** What `fetch` throws when the connection fails, is cut or times out. */
function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false
  }
  if (error.name === 'AbortError' || error.name === 'TimeoutError') {
    return true
  }
  return error instanceof TypeError && ['fetch failed', 'terminated'].includes(error.message)
}
