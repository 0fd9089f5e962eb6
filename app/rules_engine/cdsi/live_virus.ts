import { addDuration, latest } from '#rules_engine/cdsi/cdsi_dates'
import type { AdministeredDose } from '#rules_engine/cdsi/antigen_doses'
import { normalCvx, type SupportingData } from '#rules_engine/cdsi/supporting_data'

/**
 * Live virus conflicts (CDSi logic specification, 6.8 "Evaluate for live
 * virus conflict" and 7 "Forecast dates"): two live vaccines not given on the
 * same day must be given at least the conflict interval apart (28 days for
 * MMR, varicella, LAIV). After a valid dose the minimum conflict end interval
 * applies (it holds the four-day grace period where there is one); after a
 * dose that did not count, the full conflict end interval.
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export function liveVirusConflict(
  current: AdministeredDose,
  history: AdministeredDose[],
  data: SupportingData,
  notValid: ReadonlySet<string>
): boolean {
  const cvx = normalCvx(current.cvx)
  return history.some((previous) => {
    if (previous.id === current.id || previous.date >= current.date) {
      return false
    }
    return data.liveVirusConflicts.some((conflict) => {
      if (
        normalCvx(conflict.previous) !== normalCvx(previous.cvx) ||
        !conflict.current.some((code) => normalCvx(code) === cvx)
      ) {
        return false
      }
      const begins = addDuration(previous.date, conflict.conflictBeginInterval)
      const ends = addDuration(
        previous.date,
        notValid.has(previous.id) ? conflict.conflictEndInterval : conflict.minConflictEndInterval
      )
      return current.date >= begins && current.date < ends
    })
  })
}

/**
 * The first date a live vaccine among `forecastCvx` can be given without a
 * conflict with the live doses already given, or undefined when none conflicts.
 */
export function liveVirusEarliest(
  forecastCvx: string[],
  history: AdministeredDose[],
  data: SupportingData,
  asOf: string
): string | undefined {
  const wanted = new Set(forecastCvx.map(normalCvx))
  const ends = history.flatMap((previous) =>
    previous.date > asOf
      ? []
      : data.liveVirusConflicts
          .filter(
            (conflict) =>
              normalCvx(conflict.previous) === normalCvx(previous.cvx) &&
              conflict.current.some((code) => wanted.has(normalCvx(code)))
          )
          .map((conflict) => addDuration(previous.date, conflict.conflictEndInterval))
  )
  return latest(...ends)
}
