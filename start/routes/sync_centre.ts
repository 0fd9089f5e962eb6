/*
|--------------------------------------------------------------------------
| An edge's own sync (gateway, desktop, android)
|--------------------------------------------------------------------------
|
| The sync centre's data as JSON, for its page and for scripts on the
| gateway: status and progress, sync now, conflicts to resolve.
|
*/

import router from '@adonisjs/core/services/router'

const SyncCentreController = () => import('#controllers/sync/sync_centre_controller')

router
  .group(() => {
    router.get('/status', [SyncCentreController, 'status']).as('status')
    router.post('/run', [SyncCentreController, 'run']).as('run')
    router.post('/conflicts/:id/resolve', [SyncCentreController, 'resolve']).as('resolve')
    router.post('/rejected/:id/retry', [SyncCentreController, 'retry']).as('retry')
  })
  .prefix('/sync')
  .as('sync_centre')
