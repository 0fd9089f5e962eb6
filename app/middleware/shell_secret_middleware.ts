import { timingSafeEqual, createHash } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { AuditTrail } from '#services/audit_trail'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost'])

/** Audit records per minute for refused requests: a flood is logged, not spooled without end. */
const AUDITS_PER_MINUTE = 30

/**
 * On the desktop and Android roles only the shell's own window may talk to
 * the core (DESIGN.md section 6): every request must carry the per-launch
 * secret in `SDB-Magic` (Android may put it in the user agent as
 * `SDB-Magic/<secret>`), and Host and Origin must be the loopback origin, which
 * defeats DNS rebinding from a page in another browser.
 */
export default class ShellSecretMiddleware {
  #digest = digest(env.get('SHELL_SECRET')?.release() ?? '')
  static #window = { startedAt: 0, audited: 0, suppressed: 0 }

  async handle(ctx: HttpContext, next: NextFn) {
    const problem = this.#problem(ctx)
    if (problem) {
      ctx.logger.warn({ url: ctx.request.url(), reason: problem }, 'shell secret check failed')
      await this.#audit(ctx, problem)
      return ctx.response.status(403).json({ error: { code: 'E_SHELL_SECRET', message: problem } })
    }
    return next()
  }

  async #audit(ctx: HttpContext, reason: string) {
    const window = ShellSecretMiddleware.#window
    if (Date.now() - window.startedAt > 60_000) {
      if (window.suppressed > 0) {
        ctx.logger.warn(
          { suppressed: window.suppressed },
          'shell secret failures not audited one by one'
        )
      }
      Object.assign(window, { startedAt: Date.now(), audited: 0, suppressed: 0 })
    }
    if (window.audited >= AUDITS_PER_MINUTE) {
      window.suppressed++
      return
    }
    window.audited++
    const audit = await app.container.make(AuditTrail)
    await audit.shellSecretFailure({
      origin: { remoteAddress: ctx.request.ip() },
      reason,
      url: `${ctx.request.method()} ${ctx.request.url()}`,
    })
  }

  #problem({ request }: HttpContext): string | null {
    const port = String(app.config.get<number>('outpost.port'))
    const host = request.header('host') ?? ''
    const [hostname, hostPort] = host.split(':')
    if (!LOOPBACK_HOSTS.has(hostname) || (hostPort ?? '80') !== port) {
      return 'Host must be the loopback origin of this app'
    }
    const origin = request.header('origin')
    if (origin && origin !== `http://${host}`) {
      return 'Origin must be the loopback origin of this app'
    }
    const presented = request.header('sdb-magic') ?? fromUserAgent(request.header('user-agent'))
    if (!presented || !timingSafeEqual(digest(presented), this.#digest)) {
      return 'missing or wrong SDB-Magic secret'
    }
    return null
  }
}

function fromUserAgent(userAgent?: string): string | undefined {
  return userAgent?.match(/\bSDB-Magic\/(\S+)/)?.[1]
}

function digest(value: string) {
  return createHash('sha256').update(value).digest()
}
