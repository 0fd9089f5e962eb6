import vine from '@vinejs/vine'
import { MAX_PUSH_ITEMS } from '#sync/push_protocol'

/** A push batch (app/sync/push_protocol.ts). */
export const pushValidator = vine.create({
  batchKey: vine.string().trim().minLength(8).maxLength(64),
  items: vine
    .array(
      vine.object({
        key: vine.string().minLength(8).maxLength(64),
        type: vine.string().regex(/^[A-Z][A-Za-z]{1,63}$/),
        id: vine.string().regex(/^[A-Za-z0-9\-.]{1,64}$/),
        method: vine.enum(['create', 'update', 'delete']),
        baseVersion: vine.number().min(0).withoutDecimals(),
        content: vine.string().maxLength(4_000_000).nullable(),
        resolves: vine.number().withoutDecimals().nullable().optional(),
        resolution: vine.enum(['mine', 'merge']).optional(),
      })
    )
    .minLength(1)
    .maxLength(MAX_PUSH_ITEMS),
})

export const changesValidator = vine.create({
  after: vine.number().min(0).withoutDecimals(),
  limit: vine.number().min(1).max(1000).withoutDecimals().optional(),
})

export const resolveValidator = vine.create({
  choice: vine.enum(['mine', 'theirs', 'merge']),
  resource: vine.any().optional(),
})

/** A JSON object written in a text field (a merged FHIR resource). */
const jsonObject = vine.createRule((value, options, field) => {
  if (typeof value !== 'string') {
    return
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch (error) {
    field.report(
      `This is not valid JSON: ${(error as Error).message}`,
      'jsonObject',
      field,
      options
    )
    return
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    field.report('The merged version must be a JSON object: a FHIR resource', 'jsonObject', field)
  }
})

/** The sync centre's resolution form: a merge carries the merged resource as JSON text. */
export const resolvePageValidator = vine.create({
  choice: vine.enum(['mine', 'theirs', 'merge']),
  merged: vine
    .string()
    .trim()
    .maxLength(1_000_000)
    .use(jsonObject())
    .optional()
    .requiredWhen('choice', '=', 'merge'),
})
