import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ConnectivityService } from '#services/connectivity_service'

/** What the online/offline badge polls: whether this node reaches its iCDR now. */
export default class ConnectivityController {
  @inject()
  async show({ response }: HttpContext, connectivity: ConnectivityService) {
    response.header('Cache-Control', 'no-store')
    return connectivity.refresh()
  }
}
