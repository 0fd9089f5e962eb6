import { inject } from '@adonisjs/core'
import { ApiClientService } from '#services/api_client_service'
import { UserService, type UserRole } from '#services/user_service'
import { ClinicalRepository } from '#services/clinical_repository'
import { FhirError } from '#interop/fhir/fhir_error'
import { demoClinic } from '#services/demo_clinic'
import { PackRepository } from '#services/pack_repository'
import app from '@adonisjs/core/services/app'
import { Database } from '@adonisjs/lucid/database'
import { DeviceService } from '#services/device_service'
import type outpostConfig from '#config/outpost'

/** The sandbox gateway's device name on the sandbox iCDR. */
export const SANDBOX_GATEWAY = 'sandbox-gateway'

export interface SandboxSecrets {
  apiToken: string
  users: Array<{ username: string; fullName: string; password: string; roles: UserRole[] }>
}

/**
 * Demo content of a sandbox node. Idempotent: a second `npm start` re-applies
 * the same secrets and leaves recorded data alone.
 */
@inject()
export class SandboxSeeder {
  constructor(
    protected db: Database,
    protected devices: DeviceService,
    protected clients: ApiClientService,
    protected users: UserService,
    protected repository: ClinicalRepository,
    protected packs: PackRepository
  ) {}

  async seed(secrets: SandboxSecrets) {
    await this.clients.register(
      'sandbox',
      ['fhir', 'api', 'rules:publish', 'sync'],
      secrets.apiToken
    )
    for (const user of secrets.users) {
      await this.users.upsertLocal(user)
    }
    /* The shipped packs first, so that the demo records go through them. */
    await this.packs.importFolders([app.makePath('rules'), app.makePath('protocols')])
    /* The master dataset lives on the iCDR: the sandbox gateway receives it by sync. */
    const { role } = app.config.get<typeof outpostConfig>('outpost')
    return role === 'icdr' ? this.seedClinic() : 0
  }

  /**
   * iCDR: the sandbox gateway as a device of the demo district, with a new
   * one-time code, as an administrator would create it. Made again at every
   * start (the gateway enrols again with it), so a sandbox whose gateway
   * store was removed still comes up enrolled.
   */
  async gatewayEnrolmentCode(): Promise<string> {
    await this.db.from('devices').where('name', SANDBOX_GATEWAY).delete()
    const { code } = await this.devices.create(
      { name: SANDBOX_GATEWAY, role: 'gateway', facilityIds: ['demo-district'] },
      { kind: 'user', id: 'sandbox', name: 'sandbox', roles: ['administrator'], scopes: [] }
    )
    return code
  }

  /** Stores the demo clinic's records that are not there yet; returns how many it added. */
  async seedClinic(): Promise<number> {
    let added = 0
    for (const resource of demoClinic()) {
      if (await this.#exists(resource.resourceType, resource.id)) {
        continue
      }
      const body = { resource, preserved: resource }
      await this.repository.update(resource.resourceType, resource.id, body, { source: 'import' })
      added++
    }
    return added
  }

  async #exists(type: string, id: string) {
    try {
      await this.repository.read(type, id)
      return true
    } catch (error) {
      if (error instanceof FhirError && (error.status === 404 || error.status === 410)) {
        return error.status === 410
      }
      throw error
    }
  }
}
