import { I18n } from '@adonisjs/i18n'
import i18nManager from '@adonisjs/i18n/services/main'
import type { NextFn } from '@adonisjs/core/types/http'
import { type HttpContext, RequestValidator } from '@adonisjs/core/http'

declare module '@adonisjs/core/http' {
  export interface HttpContext {
    i18n: I18n
  }
}

/** The best supported locale for the languages the browser asks for (Accept-Language). */
export function requestI18n(ctx: HttpContext): I18n {
  const locale = i18nManager.getSupportedLocaleFor(ctx.request.languages())
  return i18nManager.locale(locale ?? i18nManager.defaultLocale)
}

/**
 * Speaks the user's language: pages (the page middleware shares it with the
 * views), flash messages and validation messages (`validator.shared.*`) all
 * read the request's i18n. APIs get it too, without building a view.
 */
export default class DetectUserLocaleMiddleware {
  static {
    RequestValidator.messagesProvider = (ctx) => ctx.i18n.createMessagesProvider()
  }

  async handle(ctx: HttpContext, next: NextFn) {
    ctx.i18n = requestI18n(ctx)
    ctx.containerResolver.bindValue(I18n, ctx.i18n)
    return next()
  }
}
