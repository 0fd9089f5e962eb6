/*
|--------------------------------------------------------------------------
| FHIR R4 REST API (iCDR, gateway)
|--------------------------------------------------------------------------
|
| https://hl7.org/fhir/R4/http.html. Who may call what is decided by
| app/policies/route_policies.ts.
|
*/

import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const SystemController = () => import('#controllers/fhir/system_controller')
const ResourcesController = () => import('#controllers/fhir/resources_controller')

router
  .group(() => {
    router.get('/metadata', [SystemController, 'metadata']).as('metadata')

    router.post('/', [SystemController, 'bundle']).as('bundle')
    router.get('/:type', [ResourcesController, 'search']).as('search')
    router.post('/:type/_search', [ResourcesController, 'search']).as('search.post')
    router.get('/:type/_history', [ResourcesController, 'history']).as('history.type')
    router.post('/:type', [ResourcesController, 'create']).as('create')
    router.get('/:type/:id', [ResourcesController, 'read']).as('read')
    router.put('/:type/:id', [ResourcesController, 'update']).as('update')
    router.delete('/:type/:id', [ResourcesController, 'destroy']).as('delete')
    router.get('/:type/:id/_history', [ResourcesController, 'history']).as('history.instance')
    router.get('/:type/:id/_history/:versionId', [ResourcesController, 'vread']).as('vread')
  })
  .prefix('/fhir')
  .use(middleware.fhirFormat())
  .as('fhir')
