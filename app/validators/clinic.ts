import vine from '@vinejs/vine'
import {
  GENDERS,
  IDENTIFIER_SYSTEMS,
  VACCINES,
  type IdentifierKind,
  type VaccineCode,
} from '#services/clinic_codes'

const isoDate = () => vine.date({ formats: ['YYYY-MM-DD'] })

/** Patient search: any of name, identifier and birth date; none lists the latest patients. */
export const patientSearchValidator = vine.create({
  name: vine.string().trim().maxLength(100).optional(),
  identifier: vine.string().trim().maxLength(100).optional(),
  birthdate: isoDate().optional(),
})

/**
 * What the registration form checks itself; the registration business rules
 * (identifier, duplicates, birth date) are the rule pack's, run on save.
 */
export const patientRegistrationValidator = vine.create({
  family: vine.string().trim().maxLength(100).optional(),
  given: vine.string().trim().maxLength(100).optional(),
  gender: vine.enum(GENDERS),
  /* The exact date, or, when nobody knows it, the estimated year (the registration pack flags it). */
  birthDate: isoDate().beforeOrEqual('today').optional().requiredIfMissing('birthYear'),
  birthYear: vine.number().withoutDecimals().min(1900).max(new Date().getFullYear()).optional(),
  identifierSystem: vine.enum(Object.keys(IDENTIFIER_SYSTEMS) as IdentifierKind[]),
  identifierValue: vine.string().trim().maxLength(64).optional(),
})

const measurement = (max: number) => vine.number().positive().max(max).optional()

/** Measurements as typed; plausibility for the patient's age is the DQ pack's to judge. */
export const vitalsValidator = vine.create({
  effectiveDate: isoDate().beforeOrEqual('today'),
  weight: vine.number().max(500).optional().requiredIfMissing(['height', 'temperature', 'muac']),
  height: measurement(300),
  temperature: vine.number().max(200).optional(),
  muac: measurement(100),
})

export const immunizationValidator = vine.create({
  vaccineCode: vine.enum(Object.keys(VACCINES) as VaccineCode[]),
  occurrenceDate: isoDate().beforeOrEqual('today'),
  doseNumber: vine.number().withoutDecimals().range([1, 10]).optional(),
  lotNumber: vine.string().trim().maxLength(40).optional(),
})
