import { readFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'

/** The pages' own files, by name; nothing else on disk can be reached through this route. */
const FILES = {
  'app.css': { path: 'resources/css/app.css', type: 'text/css; charset=utf-8' },
  'alpine.js': {
    /* The CSP build evaluates attribute expressions without `new Function`: pages run under a policy without 'unsafe-eval'. */
    path: 'node_modules/@alpinejs/csp/dist/cdn.min.js',
    type: 'text/javascript; charset=utf-8',
  },
} as const

const ALPINE_COMPONENT = /^[a-z][a-z_]{0,40}\.js$/

/**
 * Serves the stylesheet, Alpine.js and the Alpine components of
 * resources/js/alpine/ (no bundler: each file is what the browser runs).
 */
export default class AssetsController {
  async show({ params, response }: HttpContext) {
    const file = Object.hasOwn(FILES, params.file) ? FILES[params.file as keyof typeof FILES] : null
    if (!file) {
      return response.notFound({ error: { code: 'E_NOT_FOUND', message: 'No such file' } })
    }
    return this.#send(response, file.path, file.type)
  }

  async alpine({ params, response }: HttpContext) {
    if (!ALPINE_COMPONENT.test(params.file)) {
      return response.notFound({ error: { code: 'E_NOT_FOUND', message: 'No such file' } })
    }
    return this.#send(
      response,
      `resources/js/alpine/${params.file}`,
      'text/javascript; charset=utf-8'
    )
  }

  async #send(response: HttpContext['response'], path: string, type: string) {
    let body: Buffer
    try {
      body = await readFile(app.makePath(path))
    } catch {
      return response.notFound({ error: { code: 'E_NOT_FOUND', message: 'No such file' } })
    }
    response.header('Content-Type', type)
    response.header('Cache-Control', app.inProduction ? 'public, max-age=3600' : 'no-cache')
    response.header('X-Content-Type-Options', 'nosniff')
    return response.send(body)
  }
}
