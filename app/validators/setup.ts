import vine from '@vinejs/vine'

/** The set-up page: the iCDR's address and the one-time code an administrator gave. */
export const setupValidator = vine.create({
  icdrUrl: vine
    .string()
    .trim()
    .url({ require_protocol: true, protocols: ['http', 'https'], require_tld: false })
    .maxLength(500),
  code: vine.string().trim().minLength(1).maxLength(200),
})
