import { OtaError } from '#ota/ota_error'
import { IcdrUnreachableError } from '#services/icdr_client'
import type { OtaFailure } from '#services/ota_edge_status'

/** Why an edge refused an update after TUF verified its bytes, or could not decide one. */
export const OTA_UPDATE_ERRORS = {
  E_OTA_REFUSED_BY_ICDR: 'the iCDR refused to say which versions apply to this device',
  E_OTA_PACK_INVALID: 'a verified target is not a pack this node can load',
  E_OTA_PACK_MISMATCH: 'a verified target holds another pack or version than was decided',
  E_OTA_PACK_TESTS_FAILED: "an installed pack's own tests failed here; it was rolled back",
} as const

export type OtaUpdateErrorCode = keyof typeof OTA_UPDATE_ERRORS

export class OtaUpdateError extends Error {
  constructor(
    readonly code: OtaUpdateErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'OtaUpdateError'
  }
}

/** Any failure of a check as the edge records and reports it: a stable code and a message. */
export function failureOf(error: unknown): OtaFailure {
  if (
    error instanceof OtaError ||
    error instanceof OtaUpdateError ||
    error instanceof IcdrUnreachableError
  ) {
    return { code: error.code, message: error.message }
  }
  return { code: 'E_OTA_FAILED', message: error instanceof Error ? error.message : String(error) }
}
