import { Hl7Message } from '@medplum/core'
import type { Encounter, Patient } from '@medplum/fhirtypes'
import { test } from '@japa/runner'
import { mapAdt } from '#interop/hl7v2/adt_mapper'
import { corpusMessages } from '#tests/unit/hl7v2/hl7_corpus'

test.group('ADT mapping', () => {
  test('the IHE PIX feeds A01 and A04 give a patient and an encounter', ({ assert }) => {
    const [admit] = corpusMessages('ADT^A01')
    const result = mapAdt(Hl7Message.parse(admit.message), 'A01')
    assert.deepEqual(result.issues, [])
    const [patient, encounter] = result.resources as [Patient, Encounter]
    assert.equal(patient.identifier?.[0].value, '102')
    assert.equal(patient.identifier?.[0].system, 'urn:oid:1.3.6.1.4.1.21367.2009.1.2.370')
    assert.equal(patient.name?.[0].family, 'SINGLETON')
    assert.equal(patient.gender, 'female')
    assert.equal(patient.birthDate, '1966-11-09')
    assert.equal(encounter.class.code, 'IMP')
    assert.equal(encounter.status, 'in-progress')
    assert.equal(encounter.subject?.reference, `Patient/${patient.id}`)
    assert.equal(encounter.period?.start, '2009-02-24T10:41:52-06:00')

    for (const register of corpusMessages('ADT^A04')) {
      const registered = mapAdt(Hl7Message.parse(register.message), 'A04')
      assert.deepEqual(registered.issues, [])
      assert.equal((registered.resources[1] as Encounter).class.code, 'AMB')
    }
  })

  test('A08 updates the patient that A04 created', ({ assert }) => {
    const created = corpusMessages('ADT^A04').map((entry) =>
      mapAdt(Hl7Message.parse(entry.message), 'A04')
    )
    const [update] = corpusMessages('ADT^A08')
    const result = mapAdt(Hl7Message.parse(update.message), 'A08')
    assert.lengthOf(result.resources, 1)
    const patient = result.resources[0] as Patient
    assert.equal(patient.name?.[0].given?.[0], 'MARION')
    const createdIds = created.map((mapped) => mapped.resources[0].id)
    assert.isTrue(createdIds.includes(patient.id))
  })

  test('telecom, address and type codes come from the tables', ({ assert }) => {
    const message = Hl7Message.parse(
      'MSH|^~\\&|EMR|C|GW|H|20260101||ADT^A04|9|P|2.5.1\rPID|1||A1^^^H^MR~123-45-6789^^^SSA^SS||ROE^ANN^B^JR^DR^^L||19800101|U|||1 Main^Apt 2^Town^ST^12345^USA^H||^PRN^PH^^1^555^1234567~^NET^Internet^ann@example.org\rPV1|1|E|ER^1^A^MAIN||||1234^WELBY^MARCUS'
    )
    const [patient, encounter] = mapAdt(message, 'A04').resources as [Patient, Encounter]
    assert.deepEqual(
      patient.identifier?.map((identifier) => identifier.type?.coding?.[0].code),
      ['MR', 'SS']
    )
    assert.deepInclude(patient.name?.[0], { use: 'official', prefix: ['DR'], suffix: ['JR'] })
    assert.equal(patient.gender, 'unknown')
    assert.deepInclude(patient.address?.[0], {
      use: 'home',
      line: ['1 Main', 'Apt 2'],
      country: 'USA',
    })
    assert.deepEqual(patient.telecom, [
      { system: 'phone', value: '(555)1234567', use: 'home' },
      { system: 'email', value: 'ann@example.org' },
    ])
    assert.equal(encounter.class.code, 'EMER')
    assert.equal(encounter.location?.[0].location.display, 'ER 1 A MAIN')
    assert.equal(encounter.participant?.[0].individual?.display, 'MARCUS WELBY')
  })

  test('bad demographics are issues with their location', ({ assert }) => {
    const message = Hl7Message.parse(
      'MSH|^~\\&|EMR|C|GW|H|20260101||ADT^A01|9|P|2.5.1\rPID|1||||ROE^ANN||19800101|F\rPV1|1|I'
    )
    const result = mapAdt(message, 'A01')
    assert.lengthOf(result.resources, 0)
    assert.deepInclude(result.issues[0], {
      code: '101',
      location: { segment: 'PID', sequence: 1, field: 3 },
    })

    const noVisit = mapAdt(
      Hl7Message.parse('MSH|^~\\&|EMR|C|GW|H|20260101||ADT^A01|9|P|2.5.1\rPID|1||7^^^H^MR'),
      'A01'
    )
    assert.deepInclude(noVisit.issues[0], { code: '100', location: { segment: 'PV1' } })
  })
})
