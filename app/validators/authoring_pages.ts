import vine from '@vinejs/vine'

/** The pack editor posts the whole JSON text of the pack. */
export const packTextValidator = vine.create({
  text: vine.string().maxLength(2 * 1024 * 1024),
})

/** Releasing a published version to a channel, whole or as a staged rollout. */
export const releaseFormValidator = vine.create({
  channel: vine
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  percentage: vine.number().withoutDecimals().range([0, 100]).optional(),
  devices: vine
    .string()
    .trim()
    .maxLength(20_000)
    .transform((value) => [
      ...new Set(
        value
          .split(/[\s,]+/)
          .map((each) => each.trim())
          .filter(Boolean)
      ),
    ])
    .optional(),
})
