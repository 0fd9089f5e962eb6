/*
|--------------------------------------------------------------------------
| Sync hub (iCDR only)
|--------------------------------------------------------------------------
|
| DESIGN.md section 5 and docs/sync.md: enrolled edges pull their changes
| and push theirs; conflicts wait in a queue until a person resolves them.
|
*/

import router from '@adonisjs/core/services/router'

const ChangesController = () => import('#controllers/sync/changes_controller')
const PushController = () => import('#controllers/sync/push_controller')
const ConflictsController = () => import('#controllers/sync/conflicts_controller')

router
  .group(() => {
    router.get('/changes', [ChangesController, 'index']).as('changes')
    router.post('/push', [PushController, 'store']).as('push')
    router.get('/conflicts', [ConflictsController, 'index']).as('conflicts.index')
    router.get('/conflict-states', [ConflictsController, 'states']).as('conflicts.states')
    router.get('/conflicts/:id', [ConflictsController, 'show']).as('conflicts.show')
    router.post('/conflicts/:id/resolve', [ConflictsController, 'resolve']).as('conflicts.resolve')
  })
  .prefix('/api/v1/sync')
  .as('sync')
