import { inject } from '@adonisjs/core'
import { ApiClientService } from '#services/api_client_service'
import { UserService, type UserRole } from '#services/user_service'

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
    protected clients: ApiClientService,
    protected users: UserService
  ) {}

  async seed(secrets: SandboxSecrets) {
    await this.clients.register('sandbox', ['fhir', 'api', 'rules:publish'], secrets.apiToken)
    for (const user of secrets.users) {
      await this.users.upsertLocal(user)
    }
  }
}
