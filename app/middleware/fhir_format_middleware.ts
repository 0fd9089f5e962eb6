import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { FhirError } from '#interop/fhir/fhir_error'

const JSON_FORMATS = ['json', 'application/json', 'application/fhir+json']

/**
 * JSON is the one format served: a client that asks only for XML (by
 * `_format` or `Accept`) gets 406 rather than a body it cannot read.
 * @see https://hl7.org/fhir/R4/http.html#mime-type
 */
export default class FhirFormatMiddleware {
  async handle({ request }: HttpContext, next: NextFn) {
    const format = request.qs()._format
    if (typeof format === 'string' && !JSON_FORMATS.includes(format.split(';')[0].trim())) {
      throw FhirError.notAcceptable()
    }
    const accept = request.header('accept')
    if (accept && !request.accepts(['application/fhir+json', 'application/json'])) {
      throw FhirError.notAcceptable()
    }
    return next()
  }
}
