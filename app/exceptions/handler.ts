import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'

/**
 * Errors never show a stack trace to a client: JSON bodies carry a stable
 * `code` and a message a person can act on. Surfaces with their own error
 * shape (FHIR OperationOutcome) render theirs from their own exceptions.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = false

  protected renderStatusPages = false

  async handle(error: unknown, ctx: HttpContext) {
    return super.handle(error, ctx)
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
