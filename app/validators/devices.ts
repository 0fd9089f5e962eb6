import vine from '@vinejs/vine'
import { parseOptions } from '#sync/subscription'

/** A device's subscription options: JSON such as {"resourceTypes":["Patient"]} (docs/sync.md). */
export const subscriptionOptions = vine.createRule((value, options, field) => {
  if (typeof value !== 'string') {
    return
  }
  try {
    parseOptions(value)
  } catch (error) {
    field.report((error as Error).message, 'subscription', field, options)
  }
})

export const EDGE_ROLES = ['gateway', 'desktop', 'android'] as const

export const newDeviceValidator = vine.create({
  name: vine
    .string()
    .trim()
    .minLength(1)
    .maxLength(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  role: vine.enum(EDGE_ROLES),
  facilityIds: vine
    .array(vine.string().trim().minLength(1).maxLength(64))
    .minLength(1)
    .maxLength(100),
  subscription: vine.string().trim().maxLength(2000).use(subscriptionOptions()).optional(),
})

export const enrolValidator = vine.create({
  code: vine.string().trim().minLength(1).maxLength(200),
})
