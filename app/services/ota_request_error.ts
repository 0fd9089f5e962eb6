import type { HttpContext } from '@adonisjs/core/http'
import type { OtaError } from '#ota/ota_error'

/** Refusals of the OTA API, with the HTTP status each answers with. */
export const OTA_REQUEST_ERRORS = {
  E_OTA_NOT_READY: 503,
  E_OTA_CHANNEL_NOT_FOUND: 404,
  E_OTA_CHANNEL_EXISTS: 409,
  E_OTA_PACK_NOT_PUBLISHED: 409,
  E_OTA_ALREADY_RELEASED: 409,
  E_OTA_NO_ROLLOUT: 409,
  E_OTA_NOTHING_TO_REVERT: 409,
  E_OTA_INVALID_ASSIGNMENT: 422,
} as const

export type OtaRequestErrorCode = keyof typeof OTA_REQUEST_ERRORS

/** A refused OTA request; renders itself as `{ error: { code, message } }`. */
export class OtaRequestError extends Error {
  readonly status: number

  constructor(
    readonly code: OtaRequestErrorCode | OtaError['code'],
    message: string,
    status?: number
  ) {
    super(message)
    this.name = 'OtaRequestError'
    this.status = status ?? OTA_REQUEST_ERRORS[code as OtaRequestErrorCode] ?? 500
  }

  static of(code: OtaRequestErrorCode, message: string) {
    return new OtaRequestError(code, message)
  }

  /** An error of the TUF repository, answered with its own code and status. */
  static fromOta(error: OtaError) {
    return new OtaRequestError(error.code, error.message, error.status)
  }

  static notReady() {
    return OtaRequestError.of(
      'E_OTA_NOT_READY',
      'This iCDR has no TUF repository yet: run `node ace ota:keys` (see docs/ota.md)'
    )
  }

  async handle(error: OtaRequestError, { response }: HttpContext) {
    return response
      .status(error.status)
      .json({ error: { code: error.code, message: error.message } })
  }
}
