import { randomBytes } from 'node:crypto'
import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { AccessError } from '#identity/access_error'
import type { Principal } from '#identity/principal'
import { AuditTrail, type RequestOrigin } from '#services/audit_trail'
import { OtaRepositoryService } from '#services/ota_repository_service'
import { tokenDigest } from '#services/principal_resolver'
import type { EDGE_ROLES } from '#validators/devices'
import { parseOptions } from '#sync/subscription'

export type EdgeRole = (typeof EDGE_ROLES)[number]

export interface NewDevice {
  name: string
  role: EdgeRole
  facilityIds: string[]
  subscription?: string
}

export interface DeviceRecord {
  name: string
  role: EdgeRole
  facilityIds: string[]
  subscription: string | null
}

/** What an edge receives for its code (docs/enrolment.md). */
export interface DeviceCredentials {
  token: string
  device: DeviceRecord
  /** base64 of the iCDR's newest TUF root, or null while it has no OTA repository. */
  trustedRoot: string | null
}

export const ENROLMENT_CODE_TTL_MS = 24 * 3600 * 1000
/** Failed attempts one remote address may make in the window before it is refused. */
export const ENROLMENT_MAX_FAILURES = 10
export const ENROLMENT_FAILURE_WINDOW_MS = 15 * 60 * 1000

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** Refusals of enrolment; the exception handler renders them with their code and status. */
export class EnrolmentError extends AccessError {
  static invalidCode() {
    return new EnrolmentError(
      'E_ENROLMENT_CODE_INVALID',
      403,
      'This enrolment code is not valid: it is unknown, expired or already used. Ask an administrator for a new device code'
    )
  }

  static tooManyFailures() {
    return new EnrolmentError(
      'E_ENROLMENT_RATE_LIMITED',
      429,
      'Too many failed enrolment attempts from this address; try again in 15 minutes'
    )
  }

  static deviceExists(name: string) {
    return new EnrolmentError('E_DEVICE_EXISTS', 409, `A device named "${name}" exists already`)
  }
}

/**
 * Devices on the iCDR (DESIGN.md section 5): an administrator creates one and
 * hands its one-time code to whoever sets the edge up; the edge trades the
 * code for a device token. Codes and tokens are random (160 and 256 bits) and
 * stored as SHA-256 digests only, so a fast digest is enough.
 */
@inject()
export class DeviceService {
  constructor(
    protected db: Database,
    protected audit: AuditTrail,
    protected ota: OtaRepositoryService
  ) {}

  static newCode() {
    const bytes = randomBytes(20)
    let code = ''
    for (let bit = 0; bit < bytes.length * 8; bit += 5) {
      const byte = bit >> 3
      const word = (bytes[byte] << 8) | (bytes[byte + 1] ?? 0)
      code += CODE_ALPHABET[(word >> (11 - (bit & 7))) & 31]
    }
    return code.match(/.{4}/g)!.join('-')
  }

  static newToken() {
    return `opd_${randomBytes(32).toString('base64url')}`
  }

  async create(device: NewDevice, by: Principal) {
    if (await this.db.from('devices').where('name', device.name).first()) {
      throw EnrolmentError.deviceExists(device.name)
    }
    try {
      parseOptions(device.subscription)
    } catch (error) {
      throw new EnrolmentError('E_SUBSCRIPTION_INVALID', 422, (error as Error).message)
    }
    const code = DeviceService.newCode()
    const expiresAt = Date.now() + ENROLMENT_CODE_TTL_MS
    await this.db.table('devices').insert({
      name: device.name,
      role: device.role,
      facility_ids: JSON.stringify(device.facilityIds),
      subscription: device.subscription ?? null,
      code_digest: tokenDigest(normaliseCode(code)),
      code_expires_at: expiresAt,
      created_by: by.name,
      created_at: Date.now(),
    })
    return { device: recordOf(device), code, expiresAt: new Date(expiresAt).toISOString() }
  }

  async list() {
    const rows = await this.db.from('devices').orderBy('name')
    return rows.map((row) => ({
      ...recordOf(deviceOf(row)),
      status: statusOf(row),
      codeExpiresAt: row.enrolled_at ? null : new Date(Number(row.code_expires_at)).toISOString(),
      enrolledAt: isoOrNull(row.enrolled_at),
      revokedAt: isoOrNull(row.revoked_at),
      createdBy: row.created_by,
    }))
  }

  /** The device token (and an unused code) stop working at once. */
  async revoke(name: string): Promise<boolean> {
    const changed = await this.db
      .from('devices')
      .where('name', name)
      .whereNull('revoked_at')
      .update({ revoked_at: Date.now() })
    return Number(changed) > 0 || Boolean(await this.db.from('devices').where('name', name).first())
  }

  async enrol(code: string, origin: RequestOrigin): Promise<DeviceCredentials> {
    const address = origin.remoteAddress ?? 'unknown'
    if (await this.#tooManyFailures(address)) {
      await this.audit.deviceEnrolment({
        device: 'unknown',
        outcome: 'failure',
        origin,
        reason: 'rate limited',
      })
      throw EnrolmentError.tooManyFailures()
    }
    const digest = tokenDigest(normaliseCode(code))
    const row = await this.db.from('devices').where('code_digest', digest).first()
    const refusal = !row
      ? 'unknown code'
      : row.revoked_at
        ? 'device revoked'
        : row.code_used_at
          ? 'code already used'
          : Number(row.code_expires_at) <= Date.now()
            ? 'code expired'
            : undefined
    const token = DeviceService.newToken()
    /* The guarded update makes two concurrent uses of one code enrol at most once. */
    const used =
      !refusal &&
      Number(
        await this.db
          .from('devices')
          .where('id', row.id)
          .whereNull('code_used_at')
          .whereNull('revoked_at')
          .update({
            code_used_at: Date.now(),
            enrolled_at: Date.now(),
            token_digest: tokenDigest(token),
          })
      ) === 1
    if (!used) {
      await this.db
        .table('enrolment_failures')
        .insert({ remote_address: address, failed_at: Date.now() })
      await this.audit.deviceEnrolment({
        device: row?.name ?? 'unknown',
        outcome: 'failure',
        origin,
        reason: refusal ?? 'code already used',
      })
      throw EnrolmentError.invalidCode()
    }
    await this.audit.deviceEnrolment({ device: row.name, outcome: 'success', origin })
    return { token, device: recordOf(deviceOf(row)), trustedRoot: await this.#trustedRoot() }
  }

  async #tooManyFailures(address: string) {
    const since = Date.now() - ENROLMENT_FAILURE_WINDOW_MS
    await this.db.from('enrolment_failures').where('failed_at', '<', since).delete()
    const counted = await this.db
      .from('enrolment_failures')
      .where('remote_address', address)
      .where('failed_at', '>=', since)
      .count('* as failures')
      .first()
    return Number(counted?.failures ?? 0) >= ENROLMENT_MAX_FAILURES
  }

  async #trustedRoot() {
    if (!(await this.ota.isReady())) {
      return null
    }
    const root = await this.ota.trustedRoot()
    return root.toString('base64')
  }
}

/** Codes are read aloud and typed: case, spaces and dashes do not matter. */
export function normaliseCode(code: string) {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '')
}

function deviceOf(row: any): NewDevice {
  return {
    name: row.name,
    role: row.role,
    facilityIds: JSON.parse(row.facility_ids),
    subscription: row.subscription ?? undefined,
  }
}

function recordOf(device: NewDevice): DeviceRecord {
  return {
    name: device.name,
    role: device.role,
    facilityIds: device.facilityIds,
    subscription: device.subscription ?? null,
  }
}

function statusOf(row: any) {
  if (row.revoked_at) {
    return 'revoked'
  }
  if (row.enrolled_at) {
    return 'enrolled'
  }
  return Number(row.code_expires_at) <= Date.now() ? 'expired' : 'pending'
}

function isoOrNull(value: number | string | null) {
  return value === null ? null : new Date(Number(value)).toISOString()
}
