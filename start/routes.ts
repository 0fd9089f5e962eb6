/*
|--------------------------------------------------------------------------
| Routes
|--------------------------------------------------------------------------
|
| Each role loads only the route files of the surfaces it serves
| (app/roles/role_profiles.ts): a desktop node has no FHIR or API route at
| all, so those URLs answer 404 there.
|
*/

import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import { roleServes, type Surface } from '#roles/role_profiles'
import type outpostConfig from '#config/outpost'

const HealthController = () => import('#controllers/health_controller')

router.get('/health', [HealthController, 'show']).as('health')

await import('#start/routes/auth')
await import('#start/routes/pages')

const { role } = app.config.get<typeof outpostConfig>('outpost')

const surfaceRoutes: Partial<Record<Surface, () => Promise<unknown>>> = {
  api: () => import('#start/routes/api'),
  sync: () =>
    Promise.all([
      import('#start/routes/icdr'),
      import('#start/routes/enrolment'),
      import('#start/routes/sync'),
      import('#start/routes/admin_api'),
    ]),
  syncCentre: () => import('#start/routes/sync_centre'),
  setup: () => import('#start/routes/setup'),
  fhir: () => import('#start/routes/fhir'),
  authoring: () =>
    Promise.all([import('#start/routes/authoring'), import('#start/routes/authoring_pages')]),
  admin: () => import('#start/routes/admin_pages'),
  ota: () => import('#start/routes/ota'),
  clinic: () => import('#start/routes/clinic'),
}

for (const [surface, load] of Object.entries(surfaceRoutes)) {
  if (roleServes(role, surface as Surface)) {
    await load()
  }
}
