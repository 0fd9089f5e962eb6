import { Hl7Message } from '@medplum/core'
import type { Observation, Patient } from '@medplum/fhirtypes'
import { test } from '@japa/runner'
import { mapOru } from '#interop/hl7v2/oru_mapper'

// The corpus holds no ORU^R01, so the lab result below follows HL7 v2.5.1 chapter 7's examples.
const ORU = [
  'MSH|^~\\&|LAB|HOSP|OUTPOST|GW|20260102083000-0500||ORU^R01^ORU_R01|LAB77|P|2.5.1',
  'PID|1||P100^^^CLINIC^MR||DOE^JANE||19800101|F',
  'OBR|1|ORD1|FIL1^LAB|24331-1^Lipid panel^LN|||20260102070000-0500',
  'OBX|1|NM|2093-3^Cholesterol^LN||245|mg/dL|<200|H|||F',
  'OBX|2|ST|8251-1^Service comment^LN||fasting sample||||||F|||20260102071500',
  'OBX|3|CWE|5778-6^Color of Urine^LN||YEL^Yellow^HL70000||||||P',
  'OBX|4|DT|8665-2^Last menstrual period^LN||20251215||||||C',
].join('\r')

const observations = (message: string) =>
  mapOru(Hl7Message.parse(message)).resources.filter(
    (resource): resource is Observation => resource.resourceType === 'Observation'
  )

test.group('ORU^R01 mapping', () => {
  test('each OBX becomes an Observation of the PID patient, valued by its type', ({ assert }) => {
    const result = mapOru(Hl7Message.parse(ORU))
    assert.deepEqual(result.issues, [])
    const patient = result.resources[0] as Patient
    const [cholesterol, comment, color, lmp] = observations(ORU)
    assert.equal(cholesterol.subject?.reference, `Patient/${patient.id}`)
    assert.equal(cholesterol.code.coding?.[0].system, 'http://loinc.org')
    assert.deepEqual(cholesterol.valueQuantity, {
      value: 245,
      unit: 'milligram per deciliter',
      system: 'http://unitsofmeasure.org',
      code: 'mg/dL',
    })
    assert.equal(cholesterol.interpretation?.[0].coding?.[0].code, 'H')
    assert.equal(cholesterol.referenceRange?.[0].text, '<200')
    assert.equal(cholesterol.status, 'final')
    assert.equal(cholesterol.effectiveDateTime, '2026-01-02T07:00:00-05:00')
    assert.equal(comment.valueString, 'fasting sample')
    assert.equal(comment.effectiveDateTime, '2026-01-02T07:15:00-05:00')
    assert.equal(color.valueCodeableConcept?.coding?.[0].code, 'YEL')
    assert.equal(color.status, 'preliminary')
    assert.equal(lmp.valueDateTime, '2025-12-15')
    assert.equal(lmp.status, 'corrected')
  })

  test('re-sent results keep their ids', ({ assert }) => {
    assert.deepEqual(
      observations(ORU).map((observation) => observation.id),
      observations(ORU).map((observation) => observation.id)
    )
  })

  test('a non-numeric NM value and an unknown status are located issues', ({ assert }) => {
    const bad = ORU.replace('||245|', '||high|').replace('||||||P', '||||||Z')
    const result = mapOru(Hl7Message.parse(bad))
    const locations = result.issues.map(
      (found) =>
        `${found.code} ${found.location?.segment}^${found.location?.sequence}^${found.location?.field}`
    )
    assert.deepEqual(locations, ['102 OBX^1^5', '103 OBX^3^11'])
    assert.lengthOf(observations(bad), 2)
  })
})
