import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { routeUrl } from '#services/page_urls'
import { EdgeConflicts } from '#sync/edge_conflicts'
import { SyncCentre } from '#sync/sync_centre'
import { resolvePageValidator } from '#validators/sync'

/** The sync centre page of an edge (DESIGN.md section 8). */
@inject()
export default class SyncCentrePagesController {
  constructor(
    protected centre: SyncCentre,
    protected conflicts: EdgeConflicts
  ) {}

  async show({ view, i18n }: HttpContext) {
    const overview = await this.centre.overview()
    const when = (instant: string | null) =>
      instant ? i18n.formatDate(instant, { dateStyle: 'medium', timeStyle: 'short' }) : null
    const { lastSuccessAt, lastAttemptAt, nextAttemptAt } = overview.status
    return view.render('pages/sync/centre', {
      overview,
      times: {
        lastSuccessAt: when(lastSuccessAt),
        lastAttemptAt: when(lastAttemptAt),
        nextAttemptAt: when(nextAttemptAt),
      },
      conflicts: overview.conflicts.map(sideBySide),
      rejected: overview.rejected.map((row) => ({
        ...row,
        issues: (row.issues as Array<{ message: string; path?: string }> | null) ?? [],
      })),
    })
  }

  async run({ response, session, i18n }: HttpContext) {
    const started = await this.centre.start()
    session.flash(
      started.started ? 'success' : 'warning',
      i18n.t(started.started ? 'sync.started' : 'sync.busy')
    )
    return response.redirect().toPath(routeUrl('sync_centre.page'))
  }

  async resolve({ params, request, response, principal, session, i18n }: HttpContext) {
    const { choice, merged } = await request.validateUsing(resolvePageValidator)
    await this.conflicts.resolve(
      Number(params.id),
      choice,
      principal!,
      merged ? JSON.parse(merged) : undefined
    )
    session.flash('success', i18n.t(`sync.resolved.${choice}`))
    return response.redirect().toPath(routeUrl('sync_centre.page'))
  }

  async retry({ params, response, session, i18n }: HttpContext) {
    const retried = await this.conflicts.retry(Number(params.id))
    session.flash(
      retried ? 'success' : 'warning',
      i18n.t(retried ? 'sync.retried' : 'sync.not_rejected')
    )
    return response.redirect().toPath(routeUrl('sync_centre.page'))
  }
}

/** Both versions of a conflict, readable, with the elements that differ. */
function sideBySide(
  conflict: { mine: string | null; theirs: string | null } & Record<string, any>
) {
  const parse = (text: string | null) => (text === null ? null : JSON.parse(text))
  const [mine, theirs] = [parse(conflict.mine), parse(conflict.theirs)]
  const keys = new Set([...Object.keys(mine ?? {}), ...Object.keys(theirs ?? {})])
  keys.delete('meta')
  const differences = [...keys].filter(
    (key) => JSON.stringify(mine?.[key]) !== JSON.stringify(theirs?.[key])
  )
  const pretty = (value: unknown) => (value === null ? null : JSON.stringify(value, null, 2))
  return { ...conflict, mine: pretty(mine), theirs: pretty(theirs), differences }
}
