/*
|--------------------------------------------------------------------------
| HTTP kernel
|--------------------------------------------------------------------------
*/

import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'
import type outpostConfig from '#config/outpost'

server.errorHandler(() => import('#exceptions/handler'))

const { profile } = app.config.get<typeof outpostConfig>('outpost')

/**
 * Server middleware run on every request, routed or not. Shell roles check
 * the per-launch secret before anything else, so even a 404 is refused to a
 * caller that is not the shell's window.
 */
server.use([
  ...(profile.shellSecret ? [() => import('#middleware/shell_secret_middleware')] : []),
  () => import('#middleware/container_bindings_middleware'),
])

/**
 * Router middleware run on every matched route: the body, the session, then
 * the one policy layer, which decides every route (app/policies).
 */
router.use([
  () => import('@adonisjs/core/bodyparser_middleware'),
  () => import('@adonisjs/session/session_middleware'),
  () => import('#middleware/detect_user_locale_middleware'),
  () => import('#middleware/authorize_middleware'),
])

export const middleware = router.named({
  fhirFormat: () => import('#middleware/fhir_format_middleware'),
  /** Page routes: view locals (who, navigation, online state), CSRF and security headers. */
  page: () => import('#middleware/page_middleware'),
})
