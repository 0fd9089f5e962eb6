import env from '#start/env'
import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { ROLE_PROFILES } from '#roles/role_profiles'

const role = env.get('APP_ROLE')

/**
 * What this node is: its role, the profile of that role and the version it
 * reports. Read through `app.config.get('outpost')` or the `NodeIdentity`
 * binding; never from `process.env` outside `start/env.ts`.
 */
const outpostConfig = {
  role,
  profile: ROLE_PROFILES[role],
  version: JSON.parse(readFileSync(app.makePath('package.json'), 'utf8')).version as string,
  port: env.get('PORT', 3333),
  icdrUrl: env.get('ICDR_URL'),
  /** Import the packs shipped in rules/ and protocols/ when a node first serves. */
  importShippedPacks: env.get('IMPORT_SHIPPED_PACKS', true),
}

export default outpostConfig
