import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { holds, PERMISSIONS } from '#policies/permissions'
import { ConflictQueue } from '#sync/conflict_queue'
import { resolveValidator } from '#validators/sync'

/** The iCDR's conflict queue: administrators see all, a device its own. */
@inject()
export default class ConflictsController {
  constructor(protected conflicts: ConflictQueue) {}

  index({ request, principal }: HttpContext) {
    const status = request.input('status')
    return this.conflicts.list({
      status: status === 'open' || status === 'resolved' ? status : undefined,
      device: holds(principal!, PERMISSIONS.administer) ? request.input('device') : principal!.id,
    })
  }

  /** `?ids=1,2,3`: what became of these conflicts (an edge checking on its own). */
  states({ request, principal }: HttpContext) {
    const ids = String(request.input('ids', '')).split(',').map(Number).slice(0, 500)
    return this.conflicts.states(ids, principal!)
  }

  show({ params, principal }: HttpContext) {
    return this.conflicts.find(Number(params.id), principal!)
  }

  async resolve({ params, request, principal }: HttpContext) {
    const { choice, resource } = await request.validateUsing(resolveValidator)
    return this.conflicts.resolve(Number(params.id), choice, principal!, resource)
  }
}
