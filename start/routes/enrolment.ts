/*
|--------------------------------------------------------------------------
| Device enrolment (iCDR only)
|--------------------------------------------------------------------------
|
| DESIGN.md section 5 and docs/enrolment.md: administrators create and
| revoke devices; an edge trades its one-time code for device credentials.
|
*/

import router from '@adonisjs/core/services/router'

const DevicesController = () => import('#controllers/admin/devices_controller')
const EnrolmentController = () => import('#controllers/sync/enrolment_controller')

router
  .group(() => {
    router.get('/devices', [DevicesController, 'index']).as('devices.index')
    router.post('/devices', [DevicesController, 'store']).as('devices.store')
    router.post('/devices/:name/revoke', [DevicesController, 'revoke']).as('devices.revoke')
    router.post('/enrol', [EnrolmentController, 'store']).as('enrol')
  })
  .prefix('/api/v1')
  .as('api')
