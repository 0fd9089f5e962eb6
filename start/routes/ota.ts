/*
|--------------------------------------------------------------------------
| Over-the-air updates (iCDR only)
|--------------------------------------------------------------------------
|
| DESIGN.md section 4 and docs/ota.md. The TUF repository is public static
| files (signed, mirrorable); edges ask which versions apply to them and
| report back; publishers release versions to channels; administrators
| assign devices and watch the fleet. Who may do what is decided by
| app/policies/route_policies.ts.
|
*/

import router from '@adonisjs/core/services/router'

const RepositoryController = () => import('#controllers/ota/repository_controller')
const DevicesController = () => import('#controllers/ota/devices_controller')
const ChannelsController = () => import('#controllers/ota/channels_controller')
const ReleasesController = () => import('#controllers/ota/releases_controller')

router
  .group(() => {
    router.get('/metadata/:file', [RepositoryController, 'metadata']).as('metadata')
    router.get('/targets/:role/:file', [RepositoryController, 'target']).as('target')
  })
  .prefix('/ota')
  .as('ota')

router
  .group(() => {
    router.get('/updates', [DevicesController, 'updates']).as('updates')
    router.post('/reports', [DevicesController, 'report']).as('reports')
    router.get('/devices', [DevicesController, 'index']).as('devices.index')

    router.get('/channels', [ChannelsController, 'index']).as('channels.index')
    router.post('/channels', [ChannelsController, 'store']).as('channels.store')
    router.put('/assignments', [ChannelsController, 'assign']).as('assignments.update')

    router.post('/channels/:channel/releases', [ReleasesController, 'store']).as('releases.store')
    router
      .put('/channels/:channel/packs/:packId/rollout', [ReleasesController, 'rollout'])
      .as('rollouts.update')
    router
      .post('/channels/:channel/packs/:packId/pause', [ReleasesController, 'pause'])
      .as('rollouts.pause')
    router
      .post('/channels/:channel/packs/:packId/resume', [ReleasesController, 'resume'])
      .as('rollouts.resume')
    router
      .post('/channels/:channel/packs/:packId/revert', [ReleasesController, 'revert'])
      .as('rollouts.revert')
  })
  .prefix('/api/v1/ota')
  .as('ota')
