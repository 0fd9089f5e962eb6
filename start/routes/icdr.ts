/*
|--------------------------------------------------------------------------
| Services only the iCDR offers
|--------------------------------------------------------------------------
|
| User API tokens, the identity services edges call, user administration
| and the audit repository (DESIGN.md section 6).
|
*/

import router from '@adonisjs/core/services/router'

const AuthController = () => import('#controllers/api/auth_controller')
const UsersController = () => import('#controllers/admin/users_controller')
const AuditEventsController = () => import('#controllers/admin/audit_events_controller')

router
  .group(() => {
    router.post('/auth/tokens', [AuthController, 'tokens']).as('auth.tokens')
    router.post('/auth/verify', [AuthController, 'verify']).as('auth.verify')
    router
      .get('/auth/credential-changes', [AuthController, 'credentialChanges'])
      .as('auth.credential_changes')
    router
      .post('/auth/security-reports', [AuthController, 'securityReports'])
      .as('auth.security_reports')

    router.get('/users', [UsersController, 'index']).as('users.index')
    router.post('/users', [UsersController, 'store']).as('users.store')
    router.put('/users/:username/password', [UsersController, 'password']).as('users.password')
    router
      .post('/users/:username/deactivate', [UsersController, 'deactivate'])
      .as('users.deactivate')

    router.get('/audit-events', [AuditEventsController, 'index']).as('audit_events.index')
  })
  .prefix('/api/v1')
  .as('api')
