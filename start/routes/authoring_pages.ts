/*
|--------------------------------------------------------------------------
| Rule pack authoring pages (iCDR only)
|--------------------------------------------------------------------------
|
| DESIGN.md sections 3 and 8: the informatician's packs, the JSON editor
| checked against the schema as it is typed, the test runner, the diff,
| publishing and releasing to channels, each said before it is done.
|
*/

import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const PackPagesController = () => import('#controllers/authoring/pack_pages_controller')

router
  .group(() => {
    router.get('/packs', [PackPagesController, 'index']).as('packs.index')
    router.get('/packs/new', [PackPagesController, 'create']).as('packs.create')
    router.post('/packs', [PackPagesController, 'store']).as('packs.store')
    router.post('/packs/check', [PackPagesController, 'check']).as('packs.check')
    router.get('/packs/:id/:version', [PackPagesController, 'show']).as('packs.show')
    router.get('/packs/:id/:version/edit', [PackPagesController, 'edit']).as('packs.edit')
    router.get('/packs/:id/:version/tests', [PackPagesController, 'tests']).as('packs.tests')
    router.get('/packs/:id/:version/diff', [PackPagesController, 'diff']).as('packs.diff')
    router
      .get('/packs/:id/:version/publish', [PackPagesController, 'confirmPublish'])
      .as('packs.publish.confirm')
    router.post('/packs/:id/:version/publish', [PackPagesController, 'publish']).as('packs.publish')
    router
      .get('/packs/:id/:version/release', [PackPagesController, 'confirmRelease'])
      .as('packs.release.confirm')
    router.post('/packs/:id/:version/release', [PackPagesController, 'release']).as('packs.release')
  })
  .prefix('/authoring')
  .as('authoring')
  .use(middleware.page())
