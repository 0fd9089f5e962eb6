import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { originOf } from '#services/audit_trail'
import { OtaChannelService } from '#services/ota_channel_service'
import { OtaReleaseService } from '#services/ota_release_service'
import { OtaRequestError } from '#services/ota_request_error'
import { PackAuthoringError, PackAuthoringService } from '#services/pack_authoring_service'
import { locate, PackEditorService } from '#services/pack_editor'
import { ReleasePreviewService } from '#services/release_preview'
import { packTextValidator, releaseFormValidator } from '#validators/authoring_pages'
import { routeUrl } from '#services/page_urls'

/** The informatician's pages on the iCDR: packs, editor, tests, diff, publish, release. */
@inject()
export default class PackPagesController {
  constructor(
    protected authoring: PackAuthoringService,
    protected editor: PackEditorService
  ) {}

  async index({ view }: HttpContext) {
    return view.render('pages/authoring/packs/index', { packs: await this.authoring.list() })
  }

  async show({ view, params }: HttpContext) {
    const { pack, status } = await this.authoring.find(params.id, params.version)
    const text = JSON.stringify(pack, null, 2)
    return view.render('pages/authoring/packs/show', { pack, status, text })
  }

  create({ view }: HttpContext) {
    return view.render('pages/authoring/packs/edit', { text: '', problems: [], source: null })
  }

  async edit({ view, params }: HttpContext) {
    const text = await this.editor.draftText(params.id, params.version)
    const source = { id: params.id, version: params.version }
    return view.render('pages/authoring/packs/edit', { text, problems: [], source })
  }

  /** Saves the text as a draft; refused text comes back in the editor with every problem placed. */
  async store({ request, response, view, session, i18n }: HttpContext) {
    const { text } = await request.validateUsing(packTextValidator)
    try {
      const draft = await this.authoring.saveDraft(text)
      session.flash('success', i18n.t('authoring.editor.saved', draft))
      return response
        .redirect()
        .toPath(routeUrl('authoring.packs.show', { id: draft.id, version: draft.version }))
    } catch (error) {
      if (!(error instanceof PackAuthoringError)) {
        throw error
      }
      const problems = error.problems
        ? locate(text, error.problems, error.code)
        : [{ code: error.code, path: '', message: error.message, line: null, column: null }]
      response.status(422)
      return view.render('pages/authoring/packs/edit', { text, problems, source: null })
    }
  }

  /** The editor's live check: the problems of the text as it is now, with their places. */
  async check({ request }: HttpContext) {
    const { text } = await request.validateUsing(packTextValidator)
    const problems = this.editor.check(text)
    return { valid: problems.length === 0, problems }
  }

  async tests({ view, params }: HttpContext) {
    const { pack, status } = await this.authoring.find(params.id, params.version)
    const results = await this.authoring.test(params.id, params.version)
    return view.render('pages/authoring/packs/tests', { pack, status, results })
  }

  async diff({ view, params }: HttpContext) {
    const { pack, status } = await this.authoring.find(params.id, params.version)
    const diff = await this.authoring.diff(params.id, params.version)
    return view.render('pages/authoring/packs/diff', { pack, status, diff })
  }

  /** What publishing will do, before it is done: tests, and which devices the version reaches. */
  @inject()
  async confirmPublish({ view, params }: HttpContext, previews: ReleasePreviewService) {
    const { pack, status } = await this.authoring.find(params.id, params.version)
    const [results, preview] = await Promise.all([
      this.authoring.test(params.id, params.version),
      previews.forPublish(params.id, params.version),
    ])
    return view.render('pages/authoring/packs/publish', { pack, status, results, preview })
  }

  @inject()
  async publish(ctx: HttpContext, releases: OtaReleaseService) {
    const { params, session, response, i18n } = ctx
    try {
      const published = await this.authoring.publish(params.id, params.version)
      const actor = { principal: ctx.principal!, origin: originOf(ctx) }
      const delivery = await releases.packPublished(published.id, published.version, actor)
      const done = i18n.t('authoring.publish.done', published)
      if (delivery.delivered) {
        const channels = delivery.channels.join(', ')
        session.flash('success', `${done} ${i18n.t('authoring.publish.delivered', { channels })}`)
      } else {
        session.flash('success', done)
        session.flash('warning', i18n.t('authoring.publish.not_delivered', delivery))
      }
      return response.redirect().toPath(routeUrl('authoring.packs.show', params))
    } catch (error) {
      if (!(error instanceof PackAuthoringError)) {
        throw error
      }
      session.flash('error', error.message)
      return response.redirect().toPath(routeUrl('authoring.packs.publish.confirm', params))
    }
  }

  /** The release form, and who the release would reach once a channel is chosen. */
  @inject()
  async confirmRelease(
    { view, params, request }: HttpContext,
    channels: OtaChannelService,
    previews: ReleasePreviewService
  ) {
    const { pack, status } = await this.authoring.find(params.id, params.version)
    const choices = await channels.list()
    const query = request.qs()
    let preview = null
    if (query.channel) {
      const filled = Object.entries(query).filter(([, value]) => value !== '')
      const form = await releaseFormValidator.validate(Object.fromEntries(filled))
      preview = await previews.forRelease(form.channel, params.id, params.version, form)
    }
    return view.render('pages/authoring/packs/release', {
      pack,
      status,
      channels: choices,
      preview,
      form: {
        channel: query.channel ?? '',
        percentage: query.percentage ?? '',
        devices: query.devices ?? '',
      },
    })
  }

  @inject()
  async release(ctx: HttpContext, releases: OtaReleaseService) {
    const { params, session, response, request, i18n } = ctx
    const { channel, ...rollout } = await request.validateUsing(releaseFormValidator)
    const actor = { principal: ctx.principal!, origin: originOf(ctx) }
    try {
      await releases.release(channel, params.id, params.version, rollout, actor)
      session.flash('success', i18n.t('authoring.release.done', { ...params, channel }))
      return response.redirect().toPath(routeUrl('authoring.packs.show', params))
    } catch (error) {
      if (!(error instanceof OtaRequestError)) {
        throw error
      }
      session.flash('error', error.message)
      return response.redirect().toPath(routeUrl('authoring.packs.release.confirm', params))
    }
  }
}
