/*
|--------------------------------------------------------------------------
| Rule pack authoring (iCDR only)
|--------------------------------------------------------------------------
|
| DESIGN.md section 3: draft -> validate -> test -> diff -> publish -> retire.
| The schema is public so editors can fetch it; who may do the rest is
| decided by app/policies/route_policies.ts.
|
*/

import router from '@adonisjs/core/services/router'

const PacksController = () => import('#controllers/authoring/packs_controller')

router
  .group(() => {
    router.get('/schema', [PacksController, 'schema']).as('schema')
    router.get('/', [PacksController, 'index']).as('index')
    router.get('/failures', [PacksController, 'failures']).as('failures')
    router.post('/', [PacksController, 'store']).as('store')
    router.post('/validate', [PacksController, 'validate']).as('validate')
    router.get('/:id/:version', [PacksController, 'show']).as('show')
    router.post('/:id/:version/test', [PacksController, 'test']).as('test')
    router.get('/:id/:version/diff', [PacksController, 'diff']).as('diff')
    router.post('/:id/:version/publish', [PacksController, 'publish']).as('publish')
    router.post('/:id/:version/retire', [PacksController, 'retire']).as('retire')
  })
  .prefix('/api/v1/rule-packs')
  .as('rule_packs')
