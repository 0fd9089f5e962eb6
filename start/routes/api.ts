/*
|--------------------------------------------------------------------------
| REST API for LAN systems and devices (iCDR, gateway)
|--------------------------------------------------------------------------
*/

import router from '@adonisjs/core/services/router'

const NodeController = () => import('#controllers/api/node_controller')
const ChartsController = () => import('#controllers/api/charts_controller')

router
  .group(() => {
    router.get('/node', [NodeController, 'show']).as('node.show')
    router.get('/patients/:id/due', [ChartsController, 'due']).as('patients.due')
    router.get('/patients/:id/alerts', [ChartsController, 'alerts']).as('patients.alerts')
    router
      .post('/patients/:id/alerts/:alertId/acknowledge', [ChartsController, 'acknowledge'])
      .as('patients.alerts.acknowledge')
  })
  .prefix('/api/v1')
  .as('api')
