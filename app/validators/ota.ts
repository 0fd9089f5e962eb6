import vine from '@vinejs/vine'

/** Pack ids and versions as the rule pack schema writes them. */
const packId = vine
  .string()
  .trim()
  .maxLength(64)
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/)
const version = vine
  .string()
  .trim()
  .maxLength(40)
  .regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/)
const deviceName = vine.string().trim().minLength(1).maxLength(100)
const channelName = vine
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)

const rollout = {
  percentage: vine.number().withoutDecimals().range([0, 100]).optional(),
  devices: vine.array(deviceName).maxLength(1000).optional(),
}

export const releaseValidator = vine.create({ packId, version, ...rollout })

export const rolloutValidator = vine.create(rollout)

export const newChannelValidator = vine.create({
  name: channelName,
  description: vine.string().trim().maxLength(500).optional(),
})

/** Exactly one of `device` and `facility`; `channel: null` removes the assignment. */
export const assignmentValidator = vine.create({
  device: deviceName.clone().optional(),
  facility: vine.string().trim().minLength(1).maxLength(64).optional(),
  channel: channelName.clone().nullable(),
})

export const updatesQueryValidator = vine.create({
  facility: vine.string().trim().maxLength(64).optional(),
})

const reportedPack = { packId: vine.string().maxLength(100), version: vine.string().maxLength(40) }

export const deviceReportValidator = vine.create({
  installed: vine.array(vine.object(reportedPack)).maxLength(1000),
  heldBack: vine
    .array(vine.object({ ...reportedPack, reason: vine.string().maxLength(1000).optional() }))
    .maxLength(1000),
  facility: vine.string().maxLength(64).nullable().optional(),
  appVersion: vine.string().maxLength(40).nullable().optional(),
  lastCheckAt: vine.string().maxLength(40).nullable().optional(),
  lastSuccessAt: vine.string().maxLength(40).nullable().optional(),
  lastError: vine
    .object({ code: vine.string().maxLength(64), message: vine.string().maxLength(4000) })
    .nullable()
    .optional(),
})
