/*
|--------------------------------------------------------------------------
| First-run set-up of a device shell (desktop, android)
|--------------------------------------------------------------------------
|
| A desktop or tablet has no console for `node ace edge:enroll`, and nobody
| can log in before the device knows its iCDR: the set-up page enrols it
| with an administrator's one-time code. It answers only while the device
| is not enrolled, and only the shell's own window reaches these roles.
|
*/

import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const SetupController = () => import('#controllers/pages/setup_controller')

router
  .group(() => {
    router.get('/', [SetupController, 'show']).as('show')
    router.post('/', [SetupController, 'store']).as('store')
  })
  .prefix('/setup')
  .as('setup')
  .use(middleware.page())
