import { type FhirError } from '#interop/fhir/fhir_error'
import type { HttpContext } from '@adonisjs/core/http'
import type { Session } from '@adonisjs/session'
import { routeUrl } from '#services/page_urls'

/**
 * A save the clinic forms could not make: what was wrong, placed next to the
 * form field it is about where the rule or validator named the element, and
 * above the form otherwise. The form is shown again with what was typed.
 */
export class FormRejection extends Error {
  readonly code = 'E_FORM_REJECTED'

  constructor(
    readonly fieldErrors: Record<string, string[]>,
    readonly formErrors: string[]
  ) {
    super([...Object.values(fieldErrors).flat(), ...formErrors].join(' '))
    this.name = 'FormRejection'
  }

  /**
   * From a refused save: each OperationOutcome issue goes to the field its
   * FHIRPath expression maps to (`fieldOf`), the others to the form.
   */
  static fromFhirError(
    error: FhirError,
    fieldOf: (expression: string) => string | undefined
  ): FormRejection {
    const fieldErrors: Record<string, string[]> = {}
    const formErrors: string[] = []
    for (const issue of error.issues) {
      if (issue.code === 'processing' && issue.diagnostics?.startsWith('The transaction was')) {
        continue
      }
      const message = readable(issue.diagnostics ?? error.message)
      const field = (issue.expression ?? []).map(fieldOf).find(Boolean)
      if (field) {
        fieldErrors[field] = [...(fieldErrors[field] ?? []), message]
      } else {
        formErrors.push(message)
      }
    }
    return new FormRejection(
      fieldErrors,
      formErrors.length > 0 || Object.keys(fieldErrors).length > 0 ? formErrors : [error.message]
    )
  }

  /** Flashes what was typed and the messages for the form's next rendering. */
  flashTo(session: Session) {
    session.flashExcept(['_csrf', '_method', 'password'])
    if (Object.keys(this.fieldErrors).length > 0) {
      session.flash('inputErrorsBag', this.fieldErrors)
    }
    if (this.formErrors.length > 0) {
      session.flash('error', this.formErrors.join(' '))
    }
  }
}

/** "message [pack@1.0.0#rule]" reads better with the rule named after the message. */
function readable(diagnostics: string) {
  const match = diagnostics.match(/^(.*)\s\[([^\]#]+)#([^\]]+)\]$/s)
  return match ? `${match[1]} (rule ${match[3]}, ${match[2]})` : diagnostics
}

/**
 * After a refused save: back to the form, with what was typed and why it was
 * refused. Anything but a FormRejection is rethrown for the error handler.
 */
export function backToForm(
  ctx: HttpContext,
  error: unknown,
  route: string,
  params?: Record<string, string>
) {
  if (!(error instanceof FormRejection)) {
    throw error
  }
  error.flashTo(ctx.session)
  return ctx.response.redirect().toPath(routeUrl(route, params))
}

/** "Saved", and the DQ findings the save raised, so they are seen at once. */
export function flashSaved(ctx: HttpContext, findings: { message: string }[]) {
  ctx.session.flash('success', ctx.i18n.t('common.saved'))
  if (findings.length > 0) {
    ctx.session.flash(
      'notes',
      findings.map((finding) => finding.message)
    )
  }
}
