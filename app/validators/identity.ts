import vine from '@vinejs/vine'
import { USER_ROLES } from '#services/user_service'

const username = vine
  .string()
  .trim()
  .maxLength(100)
  .regex(/^[\p{L}\p{N}._@'-]+$/u)

/** Empty passwords are refused by the login services themselves, before any directory bind. */
export const loginValidator = vine.create({
  username: vine.string().trim().maxLength(100),
  password: vine.string().maxLength(1024),
})

export const credentialsCheckValidator = loginValidator

export const newUserValidator = vine.create({
  username,
  fullName: vine.string().trim().minLength(1).maxLength(200),
  /* Required for a new user (UserService says so); left out, an existing user keeps theirs. */
  password: vine.string().minLength(12).maxLength(1024).optional(),
  roles: vine.array(vine.enum(Object.keys(USER_ROLES) as (keyof typeof USER_ROLES)[])).minLength(1),
  facilityId: vine.string().trim().maxLength(64).optional(),
})

export const newPasswordValidator = vine.create({
  password: vine.string().minLength(12).maxLength(1024),
})

export const securityReportsValidator = vine.create({
  reports: vine
    .array(
      vine.object({
        id: vine.number().withoutDecimals(),
        kind: vine.enum(['failed-login', 'lockout'] as const),
        username: vine.string().maxLength(100),
        detail: vine.any().optional(),
        occurredAt: vine.string(),
      })
    )
    .maxLength(1000),
})

export const auditSearchValidator = vine.create({
  user: vine.string().maxLength(200).optional(),
  patient: vine.string().maxLength(64).optional(),
  event: vine.string().maxLength(32).optional(),
  from: vine.date({ formats: { utc: true } }).optional(),
  to: vine.date({ formats: { utc: true } }).optional(),
  limit: vine.number().withoutDecimals().range([1, 500]).optional(),
})
