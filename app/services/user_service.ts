import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import hash from '@adonisjs/core/services/hash'

export const USER_ROLES = {
  clinician: 'records and reads patient data in a clinic',
  informatician: 'authors, tests and publishes rule packs',
  administrator: 'runs users, devices, rollouts and audit',
} as const

export type UserRole = keyof typeof USER_ROLES

export interface NewUser {
  username: string
  fullName: string
  password: string
  roles: UserRole[]
  facilityId?: string
}

/** Local user accounts; passwords are stored as Argon2id hashes only. */
@inject()
export class UserService {
  constructor(protected db: Database) {}

  /** Creates the user, or resets the password, name and roles of an existing one. */
  async upsertLocal(user: NewUser) {
    const values = {
      full_name: user.fullName,
      password: await hash.make(user.password),
      roles: JSON.stringify(user.roles),
      facility_id: user.facilityId ?? null,
      source: 'local',
      active: true,
      updated_at: new Date(),
    }
    const existing = await this.db.from('users').where('username', user.username).first()
    if (existing) {
      await this.db.from('users').where('id', existing.id).update(values)
    } else {
      await this.db
        .table('users')
        .insert({ username: user.username, ...values, created_at: new Date() })
    }
  }
}
