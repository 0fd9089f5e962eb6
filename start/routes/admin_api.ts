/*
|--------------------------------------------------------------------------
| Administration API (iCDR only)
|--------------------------------------------------------------------------
|
| The figures and lists of the administration pages as JSON, for the portal,
| whose pages read everything from the iCDR (app/services/http_admin_backend.ts).
|
*/

import router from '@adonisjs/core/services/router'

const AdminApiController = () => import('#controllers/admin/admin_api_controller')

router
  .group(() => {
    router.get('/devices', [AdminApiController, 'devices']).as('devices')
    router.get('/rollouts', [AdminApiController, 'rollouts']).as('rollouts')
    router
      .post('/rollouts/:channel/:packId/percentage', [AdminApiController, 'percentage'])
      .as('rollouts.percentage')
    router
      .post('/rollouts/:channel/:packId/pause', [AdminApiController, 'change'])
      .as('rollouts.pause')
    router
      .post('/rollouts/:channel/:packId/resume', [AdminApiController, 'change'])
      .as('rollouts.resume')
    router
      .post('/rollouts/:channel/:packId/revert', [AdminApiController, 'change'])
      .as('rollouts.revert')
    router.get('/dashboard', [AdminApiController, 'dashboard']).as('dashboard')
  })
  .prefix('/api/v1/admin')
  .as('api.admin')
