import vine from '@vinejs/vine'
import { subscriptionOptions } from '#validators/devices'
import { AUDIT_EVENT_KINDS } from '#interop/atna/audit_record'
import { EDGE_ROLES } from '#validators/devices'
import { resolvePageValidator } from '#validators/sync'

/** The device form: facilities typed as one comma-separated list. */
export const deviceFormValidator = vine.create({
  name: vine
    .string()
    .trim()
    .minLength(1)
    .maxLength(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  role: vine.enum(EDGE_ROLES),
  facilityIds: vine
    .string()
    .trim()
    .minLength(1)
    .maxLength(6500)
    .transform((value) =>
      value
        .split(',')
        .map((each) => each.trim())
        .filter(Boolean)
    ),
  subscription: vine.string().trim().maxLength(2000).use(subscriptionOptions()).optional(),
})

/** The audit search form: whole days, both ends included. */
export const auditSearchFormValidator = vine.create({
  user: vine.string().trim().maxLength(200).optional(),
  patient: vine.string().trim().maxLength(64).optional(),
  event: vine.enum(Object.keys(AUDIT_EVENT_KINDS)).optional(),
  from: vine.date({ formats: { utc: true } }).optional(),
  to: vine.date({ formats: { utc: true } }).optional(),
})

/** Widening or narrowing a rollout from the rollouts page. */
export const rolloutPercentageValidator = vine.create({
  percentage: vine.number().withoutDecimals().range([0, 100]),
})

/** The dashboard's period. */
export const dashboardQueryValidator = vine.create({
  days: vine.number().withoutDecimals().range([1, 90]).optional(),
})

/** Keeping one side of a sync conflict from the queue page. */
export const conflictChoiceValidator = resolvePageValidator

/** Which part of the conflict queue to show. */
export const conflictListValidator = vine.create({
  status: vine.enum(['open', 'resolved'] as const).optional(),
})
