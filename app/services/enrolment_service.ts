import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import encryption from '@adonisjs/core/services/encryption'
import { Database } from '@adonisjs/lucid/database'
import { OtaUpdater } from '#ota/tuf_updater'
import type { DeviceCredentials } from '#services/device_service'
import type otaConfig from '#config/ota'
import type outpostConfig from '#config/outpost'

const TOKEN_PURPOSE = 'device-token'

/** Why an edge could not enrol, with a stable code. */
export class EdgeEnrolmentError extends Error {
  constructor(
    readonly code:
      'E_ALREADY_ENROLLED' | 'E_ENROLMENT_REFUSED' | 'E_NOT_AN_EDGE' | 'E_ICDR_UNREACHABLE',
    message: string
  ) {
    super(message)
  }
}

/** What this edge holds from its enrolment; the token decrypted. */
export interface Enrolment {
  deviceName: string
  icdrUrl: string
  token: string
}

/** How the pinned TUF root stands after enrolment. */
export type RootPinning = 'pinned' | 'kept' | 'same' | 'none'

/**
 * The edge side of enrolment (DESIGN.md section 5, docs/enrolment.md): trades
 * a one-time code for device credentials, keeps them in the edge store (the
 * token encrypted with APP_KEY) and pins the TUF root the iCDR handed over, so
 * the OTA updater never trusts a root on first use.
 */
@inject()
export class EnrolmentService {
  constructor(protected db: Database) {}

  async enrol(options: { icdrUrl: string; code: string; force?: boolean }) {
    const { role, profile } = app.config.get<typeof outpostConfig>('outpost')
    if (profile.store !== 'sqlite') {
      throw new EdgeEnrolmentError('E_NOT_AN_EDGE', `A ${role} node is not enrolled as a device`)
    }
    const existing = await this.db.from('device_enrolment').first()
    if (existing && !options.force) {
      throw new EdgeEnrolmentError(
        'E_ALREADY_ENROLLED',
        `This edge is already enrolled as "${existing.device_name}" with ${existing.icdr_url}; use --force to enrol it again`
      )
    }
    const icdrUrl = options.icdrUrl.replace(/\/+$/, '')
    const credentials = await this.#trade(icdrUrl, options.code)
    await this.db.transaction(async (trx) => {
      await trx.from('device_enrolment').delete()
      await trx.table('device_enrolment').insert({
        id: 1,
        device_name: credentials.device.name,
        icdr_url: icdrUrl,
        token_encrypted: encryption.encrypt(credentials.token, { purpose: TOKEN_PURPOSE }),
        role: credentials.device.role,
        facility_ids: JSON.stringify(credentials.device.facilityIds),
        subscription: credentials.device.subscription,
        enrolled_at: Date.now(),
      })
    })
    const root = await this.#pinRoot(credentials.trustedRoot)
    return { device: credentials.device, icdrUrl, root }
  }

  /** The credentials this edge enrolled with, or null when it never enrolled. */
  async current(): Promise<Enrolment | null> {
    const row = await this.db.from('device_enrolment').first()
    if (!row) {
      return null
    }
    const token = encryption.decrypt<string>(row.token_encrypted, TOKEN_PURPOSE)
    return token ? { deviceName: row.device_name, icdrUrl: row.icdr_url, token } : null
  }

  /** Where the OTA updater reads its pinned root. */
  static rootPath() {
    return join(app.config.get<typeof otaConfig>('ota').clientDir, 'metadata', 'root.json')
  }

  async #trade(icdrUrl: string, code: string): Promise<DeviceCredentials> {
    let response: Response
    try {
      response = await fetch(new URL('/api/v1/enrol', icdrUrl), {
        method: 'POST',
        headers: { 'accept': 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
        signal: AbortSignal.timeout(30_000),
      })
    } catch (error) {
      throw new EdgeEnrolmentError(
        'E_ICDR_UNREACHABLE',
        `The iCDR cannot be reached at ${icdrUrl}: ${(error as Error).cause ?? (error as Error).message}`
      )
    }
    const text = await response.text()
    const body = text ? safeJson(text) : null
    if (response.status !== 201) {
      const reason =
        body?.error?.message ?? body?.errors?.[0]?.message ?? `it answered ${response.status}`
      throw new EdgeEnrolmentError(
        'E_ENROLMENT_REFUSED',
        `The iCDR refused the enrolment: ${reason}`
      )
    }
    return body as DeviceCredentials
  }

  /**
   * A root the edge already trusts is kept: from then on only the verified root chain
   * may replace it (docs/ota.md).
   */
  async #pinRoot(trustedRoot: string | null): Promise<RootPinning> {
    if (!trustedRoot) {
      return 'none'
    }
    const bytes = Buffer.from(trustedRoot, 'base64')
    const path = EnrolmentService.rootPath()
    if (await OtaUpdater.pinRoot(join(path, '..'), bytes)) {
      return 'pinned'
    }
    const current = await readFile(path)
    return current.equals(bytes) ? 'same' : 'kept'
  }
}

function safeJson(text: string) {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
