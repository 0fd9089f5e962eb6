/*
|--------------------------------------------------------------------------
| Administration pages (iCDR and portal)
|--------------------------------------------------------------------------
|
| DESIGN.md section 8: the dashboard, users and roles, devices and their
| enrolment codes, rollouts, the audit log and the conflict queue. Data
| comes through AdminBackend: the iCDR's services on the iCDR, its API on
| the portal.
|
*/

import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const DashboardController = () => import('#controllers/admin/dashboard_page_controller')
const UsersController = () => import('#controllers/admin/user_pages_controller')
const DevicesController = () => import('#controllers/admin/device_pages_controller')
const RolloutsController = () => import('#controllers/admin/rollout_pages_controller')
const AuditController = () => import('#controllers/admin/audit_page_controller')
const ConflictsController = () => import('#controllers/admin/conflicts_page_controller')

router
  .group(() => {
    router.get('/', [DashboardController, 'show']).as('dashboard')
    router.get('/users', [UsersController, 'index']).as('users.index')
    router.post('/users', [UsersController, 'store']).as('users.store')
    router
      .post('/users/:username/deactivate', [UsersController, 'deactivate'])
      .as('users.deactivate')
    router.get('/devices', [DevicesController, 'index']).as('devices.index')
    router.post('/devices', [DevicesController, 'store']).as('devices.store')
    router.post('/devices/:name/revoke', [DevicesController, 'revoke']).as('devices.revoke')
    router.get('/rollouts', [RolloutsController, 'index']).as('rollouts.index')
    router
      .post('/rollouts/:channel/:packId/percentage', [RolloutsController, 'update'])
      .as('rollouts.update')
    router
      .post('/rollouts/:channel/:packId/pause', [RolloutsController, 'pause'])
      .as('rollouts.pause')
    router
      .post('/rollouts/:channel/:packId/resume', [RolloutsController, 'resume'])
      .as('rollouts.resume')
    router
      .post('/rollouts/:channel/:packId/revert', [RolloutsController, 'revert'])
      .as('rollouts.revert')
    router.get('/audit', [AuditController, 'index']).as('audit.index')
    router.get('/conflicts', [ConflictsController, 'index']).as('conflicts.index')
    router.post('/conflicts/:id/resolve', [ConflictsController, 'resolve']).as('conflicts.resolve')
  })
  .prefix('/admin')
  .as('admin')
  .use(middleware.page())
