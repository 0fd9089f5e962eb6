import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { EdgeConflicts } from '#sync/edge_conflicts'
import { SyncCentre } from '#sync/sync_centre'
import { resolveValidator } from '#validators/sync'

/** An edge's sync centre as JSON: status, run now, conflicts and rejected changes. */
@inject()
export default class SyncCentreController {
  constructor(
    protected centre: SyncCentre,
    protected conflicts: EdgeConflicts
  ) {}

  status() {
    return this.centre.overview()
  }

  async run({ response }: HttpContext) {
    return response.accepted(await this.centre.start())
  }

  async retry({ params, response }: HttpContext) {
    return (await this.conflicts.retry(Number(params.id)))
      ? response.noContent()
      : response.notFound({
          error: { code: 'E_NOT_REJECTED', message: `No rejected change ${params.id}` },
        })
  }

  async resolve({ params, request, principal, response }: HttpContext) {
    const { choice, resource } = await request.validateUsing(resolveValidator)
    await this.conflicts.resolve(Number(params.id), choice, principal!, resource)
    return response.noContent()
  }
}
