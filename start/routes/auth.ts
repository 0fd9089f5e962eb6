/*
|--------------------------------------------------------------------------
| Page sessions (every role)
|--------------------------------------------------------------------------
|
| Log in (the iCDR decides; on an edge its offline cache when the iCDR
| cannot be reached), who is logged in, log out.
|
*/

import router from '@adonisjs/core/services/router'

const SessionController = () => import('#controllers/auth/session_controller')

router
  .group(() => {
    router.post('/login', [SessionController, 'store']).as('login')
    router.get('/session', [SessionController, 'show']).as('session')
    router.post('/logout', [SessionController, 'destroy']).as('logout')
  })
  .prefix('/auth')
  .as('auth')
