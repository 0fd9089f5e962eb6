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
import { middleware } from '#start/kernel'

const SyncCentreController = () => import('#controllers/sync/sync_centre_controller')
const SyncCentrePagesController = () => import('#controllers/sync/sync_centre_pages_controller')

router
  .group(() => {
    router.get('/status', [SyncCentreController, 'status']).as('status')
    router.post('/run', [SyncCentreController, 'run']).as('run')
    router.post('/conflicts/:id/resolve', [SyncCentreController, 'resolve']).as('resolve')
    router.post('/rejected/:id/retry', [SyncCentreController, 'retry']).as('retry')
  })
  .prefix('/sync')
  .as('sync_centre')

router
  .group(() => {
    router.get('/', [SyncCentrePagesController, 'show']).as('page')
    router.post('/run', [SyncCentrePagesController, 'run']).as('page.run')
    router.post('/conflicts/:id/resolve', [SyncCentrePagesController, 'resolve']).as('page.resolve')
    router.post('/rejected/:id/retry', [SyncCentrePagesController, 'retry']).as('page.retry')
  })
  .prefix('/sync-centre')
  .as('sync_centre')
  .use(middleware.page())
