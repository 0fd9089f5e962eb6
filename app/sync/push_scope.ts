import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { parseFhirJson } from '#interop/fhir/fhir_json'
import { compartmentPatient } from '#services/fhir_version'
import type { PushItem } from '#sync/push_protocol'

/**
 * What a device may change through a push: the records of patients of its
 * catchment, of patients it had there before they moved (its offline work
 * on them still arrives, and meets the move as a conflict), of patients the
 * iCDR does not place anywhere yet (new ones, registered at the edge), and
 * shared reference data. A stolen device token cannot overwrite the records
 * of another facility's patients. A null catchment (an API client standing
 * for an edge configured by hand) may change anything.
 */
export class PushScope {
  constructor(readonly catchment: string[] | null) {}

  /** The patients the change touches are within reach: before and after it. */
  async allows(
    client: QueryClientContract,
    item: PushItem,
    storedPatientId: string | null
  ): Promise<boolean> {
    if (this.catchment === null) {
      return true
    }
    const patients = new Set<string>()
    if (storedPatientId) {
      patients.add(storedPatientId)
    }
    const written = patientOf(item)
    if (written) {
      patients.add(written)
    }
    for (const patientId of patients) {
      if (!(await this.#reaches(client, patientId))) {
        return false
      }
    }
    return true
  }

  async #reaches(client: QueryClientContract, patientId: string) {
    const placed = await client
      .from('sync_patient_facilities')
      .where('patient_id', patientId)
      .select('facility_id')
      .first()
    if (!placed?.facility_id || this.catchment!.includes(placed.facility_id)) {
      return true
    }
    const before = await client
      .from('sync_scope_log')
      .where('patient_id', patientId)
      .where((query) =>
        query
          .whereIn('facility_id', this.catchment!)
          .orWhereIn('previous_facility_id', this.catchment!)
      )
      .first()
    return Boolean(before)
  }
}

function patientOf(item: PushItem): string | null {
  if (item.content === null) {
    return null
  }
  try {
    return compartmentPatient(item.type, item.id, parseFhirJson(item.content).resource as any)
  } catch {
    /* Not JSON: the save pipeline refuses it with the reason. */
    return null
  }
}
