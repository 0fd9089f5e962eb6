import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { AccessError } from '#identity/access_error'
import { requestI18n } from '#middleware/detect_user_locale_middleware'
import type outpostConfig from '#config/outpost'
import { routeUrl } from '#services/page_urls'

/** Errors with their own page flow: CSRF and validation failures go back to the form. */
const SELF_HANDLED = new Set(['E_BAD_CSRF_TOKEN', 'E_VALIDATION_ERROR'])

const PAGES = {
  404: 'pages/errors/not_found',
  403: 'pages/errors/forbidden',
  400: 'pages/errors/bad_request',
  500: 'pages/errors/server_error',
} as const

/** A person's browser asks for a page; API clients (`*\/*`, JSON) keep their JSON errors. */
export function wantsPage(ctx: HttpContext) {
  return ctx.request.accepts(['json', 'html']) === 'html'
}

/**
 * An error as a page: never a stack trace, the message only where it is
 * meant for people (4xx), the login page when nobody is logged in. Answers
 * false for errors that handle themselves (back to the form).
 */
export async function renderErrorPage(error: unknown, ctx: HttpContext): Promise<boolean> {
  const code = (error as { code?: string }).code
  if (code && SELF_HANDLED.has(code)) {
    return false
  }
  if (error instanceof AccessError && error.status === 401) {
    ctx.response.redirect().withIntendedUrl().toPath(routeUrl('pages.login'))
    return true
  }
  const status = statusOf(error)
  const page = pageFor(status)
  const { role, profile } = app.config.get<typeof outpostConfig>('outpost')
  const i18n = ctx.i18n ?? requestI18n(ctx)
  const message = status < 500 ? (error as Error).message : null
  try {
    /* Shared, not passed: the layout component sees shared locals only. */
    ctx.view.share({ i18n })
    if (!ctx.pageLocalsShared) {
      ctx.view.share({
        node: { role, title: profile.title },
        nav: [],
        principal: null,
        connectivity: null,
        can: () => false,
      })
    }
    const html = await ctx.view.render(page, { status, message })
    ctx.response.status(status).header('Content-Type', 'text/html; charset=utf-8').send(html)
  } catch (renderError) {
    ctx.logger.error({ err: renderError }, 'the error page could not be rendered')
    ctx.response
      .status(status)
      .header('Content-Type', 'text/html; charset=utf-8')
      .send(
        `<!DOCTYPE html><html lang="en"><title>Error ${status}</title><h1>Error ${status}</h1></html>`
      )
  }
  return true
}

function pageFor(status: number) {
  if (status === 404 || status === 410) {
    return PAGES[404]
  }
  if (status === 403) {
    return PAGES[403]
  }
  return status >= 500 ? PAGES[500] : PAGES[400]
}

function statusOf(error: unknown) {
  const status = (error as { status?: unknown }).status
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500
}
