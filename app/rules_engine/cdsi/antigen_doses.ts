import { addDuration } from '#rules_engine/cdsi/cdsi_dates'
import { normalCvx, type SupportingData } from '#rules_engine/cdsi/supporting_data'

/** A vaccine dose the patient received: the CDSi "vaccine dose administered". */
export interface AdministeredDose {
  /** Identifies the dose in outputs (the Immunization's id). */
  id: string
  date: string
  cvx: string
  mvx?: string
}

/** One administered dose seen as a dose of one antigen ("antigen administered record"). */
export interface AntigenDose extends AdministeredDose {
  antigen: string
}

/**
 * Organises the patient's immunization history by antigen (CDSi logic
 * specification 4.x, chapter 5, "Gather necessary data" and "Organize
 * immunization history"): each dose counts for every antigen its CVX code
 * carries at the patient's age that day, oldest first. Doses of vaccines the
 * supporting data does not know count for nothing.
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export function antigenHistory(
  doses: AdministeredDose[],
  birthDate: string,
  data: SupportingData
): Map<string, AntigenDose[]> {
  const byAntigen = new Map<string, AntigenDose[]>()
  const sorted = [...doses].sort((a, b) => a.date.localeCompare(b.date))
  for (const dose of sorted) {
    const mapping = data.cvx.get(normalCvx(dose.cvx))
    for (const association of mapping?.antigens ?? []) {
      const begins = addDuration(birthDate, association.beginAge)
      const ends = addDuration(birthDate, association.endAge)
      if ((begins && dose.date < begins) || (ends && dose.date >= ends)) {
        continue
      }
      const list = byAntigen.get(association.antigen) ?? []
      list.push({ ...dose, cvx: normalCvx(dose.cvx), antigen: association.antigen })
      byAntigen.set(association.antigen, list)
    }
  }
  return byAntigen
}
