/*
|--------------------------------------------------------------------------
| REST API for LAN systems and devices (iCDR, gateway)
|--------------------------------------------------------------------------
*/

import router from '@adonisjs/core/services/router'

const NodeController = () => import('#controllers/api/node_controller')

router
  .group(() => {
    router.get('/node', [NodeController, 'show']).as('node.show')
  })
  .prefix('/api/v1')
  .as('api')
