import type { ApplicationService } from '@adonisjs/core/types'
import { AdminBackend } from '#services/admin_backend'
import type outpostConfig from '#config/outpost'

/**
 * Where the administration pages get their data (DESIGN.md section 1): the
 * iCDR's own services where there is a store, the iCDR's API on the portal.
 */
export default class AdminProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    const { profile } = this.app.config.get<typeof outpostConfig>('outpost')
    this.app.container.bind(AdminBackend, async (resolver) => {
      if (profile.store === 'none') {
        const { HttpAdminBackend } = await import('#services/http_admin_backend')
        return resolver.make(HttpAdminBackend)
      }
      const { LocalAdminBackend } = await import('#services/local_admin_backend')
      return resolver.make(LocalAdminBackend)
    })
  }
}
