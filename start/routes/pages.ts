/*
|--------------------------------------------------------------------------
| Pages every role shares
|--------------------------------------------------------------------------
|
| The login page, logout, the landing redirect, the online/offline state
| the badge polls, and the pages' own CSS and scripts. Page routes use the
| `page` middleware (view locals, CSRF, security headers).
|
*/

import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const LoginPageController = () => import('#controllers/pages/login_page_controller')
const AssetsController = () => import('#controllers/pages/assets_controller')
const ConnectivityController = () => import('#controllers/pages/connectivity_controller')

router
  .group(() => {
    router.get('/', [LoginPageController, 'home']).as('home')
    router.get('/login', [LoginPageController, 'create']).as('login')
    router.post('/login', [LoginPageController, 'store']).as('login.store')
    router.post('/logout', [LoginPageController, 'destroy']).as('logout')
  })
  .as('pages')
  .use(middleware.page())

router
  .group(() => {
    router.get('/assets/:file', [AssetsController, 'show']).as('assets')
    router.get('/assets/alpine/:file', [AssetsController, 'alpine']).as('assets.alpine')
    router.get('/status/connectivity', [ConnectivityController, 'show']).as('connectivity')
  })
  .as('pages')
