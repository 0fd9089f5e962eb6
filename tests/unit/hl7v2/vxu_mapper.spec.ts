import { Hl7Message } from '@medplum/core'
import type { Immunization, Patient } from '@medplum/fhirtypes'
import { test } from '@japa/runner'
import { mapVxu } from '#interop/hl7v2/vxu_mapper'
import { corpusMessages } from '#tests/unit/hl7v2/hl7_corpus'

const HEADER = 'MSH|^~\\&|EMR|CLINIC|OUTPOST|GW|20260101120000-0500||VXU^V04^VXU_V04|MSG1|P|2.5.1'
const PID = 'PID|1||P100^^^CLINIC^MR||DOE^JANE||20250101|F'
const vxu = (...segments: string[]) => Hl7Message.parse([HEADER, ...segments].join('\r'))
const immunizations = (resources: unknown[]) =>
  resources.filter(
    (resource): resource is Immunization =>
      (resource as Immunization).resourceType === 'Immunization'
  )

test.group('VXU^V04 mapping', () => {
  test('the CDC IG example gives a patient and three immunizations', ({ assert }) => {
    const [example] = corpusMessages('VXU^V04')
    const result = mapVxu(Hl7Message.parse(example.message))
    assert.deepEqual(result.issues, [])
    const patient = result.resources[0] as Patient
    assert.equal(patient.resourceType, 'Patient')
    assert.equal(patient.identifier?.[0].value, '432155')
    assert.equal(patient.identifier?.[0].type?.coding?.[0].code, 'MR')
    assert.equal(patient.birthDate, '2011-04-11')
    assert.equal(patient.gender, 'male')
    assert.equal(patient.name?.[0].family, 'Patient')
    assert.deepEqual(patient.name?.[0].given, ['Johnny', 'New'])
    assert.equal(patient.extension?.[0].valueString, 'Lastname')
    assert.equal(patient.address?.[0].city, 'Somewhere')

    const [historical, dtap, hib] = immunizations(result.resources)
    assert.equal(historical.vaccineCode.coding?.[0].code, '85')
    assert.equal(historical.vaccineCode.coding?.[0].system, 'http://hl7.org/fhir/sid/cvx')
    assert.isFalse(historical.primarySource)
    assert.equal(historical.reportOrigin?.text, 'historical')
    assert.isUndefined(historical.doseQuantity)
    assert.equal(historical.occurrenceDateTime, '2011-04-15')

    assert.isTrue(dtap.primarySource)
    assert.equal(dtap.status, 'completed')
    assert.deepEqual(dtap.doseQuantity, {
      value: 0.5,
      unit: 'milliliter',
      system: 'http://unitsofmeasure.org',
      code: 'mL',
    })
    assert.equal(dtap.lotNumber, 'xy3939')
    assert.equal(dtap.expirationDate, '2014-12-12')
    assert.equal(dtap.manufacturer?.identifier?.value, 'SKB')
    assert.equal(dtap.route?.coding?.[0].code, 'C28161')
    assert.equal(dtap.site?.coding?.[0].code, 'RT')
    assert.equal(dtap.performer?.[0].actor.display, 'Nurse Sticker')
    assert.equal(dtap.programEligibility?.[0].coding?.[0].code, 'V02')
    assert.equal(dtap.education?.[0].presentationDate, '2012-01-13')
    assert.equal(dtap.patient.reference, `Patient/${patient.id}`)
    assert.equal(hib.manufacturer?.identifier?.value, 'PMC')
  })

  test('sending the same message twice gives the same ids', ({ assert }) => {
    const [example] = corpusMessages('VXU^V04')
    const first = mapVxu(Hl7Message.parse(example.message)).resources.map((resource) => resource.id)
    const second = mapVxu(Hl7Message.parse(example.message)).resources.map(
      (resource) => resource.id
    )
    assert.deepEqual(first, second)
    assert.equal(new Set(first).size, first.length)
  })

  test('a refusal is not-done with the NIP002 reason', ({ assert }) => {
    const result = mapVxu(
      vxu(
        PID,
        'ORC|RE||9999^DCS',
        'RXA|0|1|20250301|20250301|107^DTAP^CVX|999||||||||||||00^Parental decision^NIP002||RE'
      )
    )
    const [refusal] = immunizations(result.resources)
    assert.equal(refusal.status, 'not-done')
    assert.equal(refusal.statusReason?.coding?.[0].code, 'PATOBJ')
    assert.equal(refusal.statusReason?.text, 'Parental decision')
  })

  test('a partial dose is completed and subpotent, and action D asks for a deletion', ({
    assert,
  }) => {
    const partial = mapVxu(
      vxu(PID, 'ORC|RE||1^DCS', 'RXA|0|1|20250301||08^HEPB^CVX|0.25|mL^^UCUM||00|||||||||||PA|A')
    )
    const [dose] = immunizations(partial.resources)
    assert.equal(dose.status, 'completed')
    assert.isTrue(dose.isSubpotent)

    const deletion = mapVxu(
      vxu(PID, 'ORC|RE||1^DCS', 'RXA|0|1|20250301||08^HEPB^CVX|0.25|mL^^UCUM||00|||||||||||CP|D')
    )
    assert.lengthOf(immunizations(deletion.resources), 0)
    assert.deepEqual(deletion.deletes, [{ resourceType: 'Immunization', id: dose.id! }])
  })

  test('bad values are reported with their location instead of thrown', ({ assert }) => {
    const result = mapVxu(
      vxu(
        'PID|1||P1^^^C^MR||DOE^J||20251340|Q',
        'RXA|0|1|2025023x||998^none^CVX|abc||||||||||||||XX'
      )
    )
    const locations = result.issues.map(
      (found) =>
        `${found.code} ${found.location?.segment}^${found.location?.sequence}^${found.location?.field}`
    )
    assert.includeMembers(locations, ['102 PID^1^7', '103 PID^1^8', '102 RXA^1^3'])
    assert.lengthOf(immunizations(result.resources), 0)
  })

  test('a VXU without PID is an error on PID', ({ assert }) => {
    const result = mapVxu(vxu('RXA|0|1|20250301||08^HEPB^CVX'))
    assert.lengthOf(result.resources, 0)
    assert.deepInclude(result.issues[0], {
      severity: 'E',
      code: '100',
      location: { segment: 'PID' },
    })
  })
})
