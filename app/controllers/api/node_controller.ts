import app from '@adonisjs/core/services/app'
import { SURFACES } from '#roles/role_profiles'
import type outpostConfig from '#config/outpost'

export default class NodeController {
  /**
   * What this node is and serves: lets a LAN system or an edge find out
   * whom it is talking to before it sends anything.
   */
  show() {
    const { role, profile, version } = app.config.get<typeof outpostConfig>('outpost')
    return {
      role,
      title: profile.title,
      version,
      surfaces: profile.surfaces.map((surface) => ({ surface, serves: SURFACES[surface] })),
    }
  }
}
