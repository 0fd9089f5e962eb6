import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import { FhirError, outcomeIssue, toFhirError } from '#interop/fhir/fhir_error'
import { SearchError } from '#interop/fhir/search_error'
import { FHIR_JSON } from '#services/fhir_http'
import { AccessError } from '#identity/access_error'
import { renderErrorPage, wantsPage } from '#exceptions/page_errors'

/** The body limit of `config/bodyparser.ts`, for the 413 message. */
const BODY_LIMIT_BYTES = 8 * 1024 * 1024

/**
 * Errors never show a stack trace to a client. Under `/fhir` every failure is
 * an OperationOutcome with the right status; elsewhere JSON with a stable
 * `code` and a message a person can act on; a browser asking for a page gets
 * an error page (app/exceptions/page_errors.ts).
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = false

  protected renderStatusPages = false

  async handle(error: unknown, ctx: HttpContext) {
    if (ctx.request.url().startsWith('/fhir')) {
      const failure = this.#asFhirError(error)
      return ctx.response
        .status(failure.status)
        .header('Content-Type', FHIR_JSON)
        .send(JSON.stringify(failure.toOperationOutcome()))
    }
    if (wantsPage(ctx) && (await renderErrorPage(error, ctx))) {
      return
    }
    if (error instanceof AccessError) {
      return ctx.response.status(error.status).json(error.toJSON())
    }
    return super.handle(error, ctx)
  }

  async report(error: unknown, ctx: HttpContext) {
    if (error instanceof FhirError && error.status < 500) {
      return
    }
    if (error instanceof SearchError || error instanceof AccessError) {
      return
    }
    return super.report(error, ctx)
  }

  /** Framework errors keep their status; anything unexpected is a 500 naming no internals. */
  #asFhirError(error: unknown): FhirError {
    if (error instanceof AccessError) {
      return error.status === 401
        ? FhirError.unauthorized(error.message)
        : FhirError.forbidden(error.message)
    }
    const status = (error as { status?: number }).status
    const message = (error as Error).message
    switch (error instanceof FhirError || error instanceof SearchError ? 0 : status) {
      case 400:
        return FhirError.badRequest(message)
      case 404:
        return new FhirError('E_FHIR_NOT_FOUND', [
          outcomeIssue('not-found', 'No such FHIR endpoint'),
        ])
      case 413:
        return FhirError.tooLarge(BODY_LIMIT_BYTES)
      case 415:
        return FhirError.unsupportedMediaType('this content type')
      default:
        return toFhirError(error)
    }
  }
}
