import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * The facility a Patient belongs to for sync subscriptions: the Organization
 * its `managingOrganization` names.
 * https://hl7.org/fhir/R4/patient-definitions.html#Patient.managingOrganization
 */
export function facilityOf(patient: unknown): string | null {
  const reference = (patient as { managingOrganization?: { reference?: unknown } })
    ?.managingOrganization?.reference
  if (typeof reference !== 'string') {
    return null
  }
  const match = /^(?:.*\/)?Organization\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/\d+)?$/.exec(
    reference
  )
  return match ? match[1] : null
}

/**
 * Keeps each patient's current facility, and logs a move with the change
 * sequence of the version that made it, so a pull can send a patient's whole
 * record to the edges of the facility they moved to. `keepKnown` leaves a
 * facility already recorded in place when the resource names none (a patient
 * an edge registered is kept at that edge's facility).
 */
export async function recordPatientFacility(
  trx: TransactionClientContract,
  patientId: string,
  facilityId: string | null,
  seq: number,
  options: { keepKnown?: boolean } = { keepKnown: true }
) {
  const row = await trx
    .from('sync_patient_facilities')
    .where('patient_id', patientId)
    .select('facility_id')
    .first()
  const previous: string | null = row?.facility_id ?? null
  const next = facilityId ?? (options.keepKnown ? previous : null)
  if (row && previous === next) {
    await trx.from('sync_patient_facilities').where('patient_id', patientId).update({ seq })
    return
  }
  if (row) {
    await trx
      .from('sync_patient_facilities')
      .where('patient_id', patientId)
      .update({ facility_id: next, seq })
  } else {
    await trx
      .table('sync_patient_facilities')
      .insert({ patient_id: patientId, facility_id: next, seq })
  }
  if (next !== previous) {
    await trx.table('sync_scope_log').insert({
      seq,
      patient_id: patientId,
      facility_id: next,
      previous_facility_id: previous,
    })
  }
}
