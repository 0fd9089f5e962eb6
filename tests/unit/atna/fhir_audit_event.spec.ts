import { test } from '@japa/runner'
import {
  createAuditRecord,
  patientObject,
  queryObject,
  resourceObject,
} from '#interop/atna/audit_record'
import { toFhirAuditEvent } from '#interop/atna/fhir_audit_event'

const DCM = 'http://dicom.nema.org/resources/ontology/DCM'

test.group('FHIR AuditEvent', () => {
  test('a patient record read becomes an R4 AuditEvent with the DICOM codes', ({ assert }) => {
    const record = createAuditRecord('patient-record-read', {
      recordedAt: new Date('2025-05-04T10:00:00.250Z'),
      activeParticipants: [
        {
          userId: 'user-17',
          userName: 'Amina Okafor',
          roles: [{ code: 'clinician', system: 'urn:outpost:roles', display: 'Clinician' }],
          isRequestor: true,
          networkAccessPoint: '10.4.0.21',
        },
      ],
      source: { auditSourceId: 'outpost-icdr@central', enterpriseSiteId: 'MoH', typeCode: 4 },
      participantObjects: [patientObject('p-1'), resourceObject('Observation/o-9')],
      description: 'chart opened',
    })

    assert.deepEqual(toFhirAuditEvent(record), {
      resourceType: 'AuditEvent',
      id: record.id,
      type: { system: DCM, code: '110110', display: 'Patient Record' },
      action: 'R',
      recorded: '2025-05-04T10:00:00.250Z',
      outcome: '0',
      outcomeDesc: 'chart opened',
      agent: [
        {
          who: { identifier: { value: 'user-17' } },
          requestor: true,
          name: 'Amina Okafor',
          role: [
            {
              coding: [{ system: 'urn:outpost:roles', code: 'clinician', display: 'Clinician' }],
              text: 'Clinician',
            },
          ],
          network: { address: '10.4.0.21', type: '2' },
        },
      ],
      source: {
        site: 'MoH',
        observer: { identifier: { value: 'outpost-icdr@central' } },
        type: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
            code: '4',
            display: 'Application server process',
          },
        ],
      },
      entity: [
        {
          what: { reference: 'Patient/p-1' },
          type: {
            system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
            code: '1',
            display: 'Person',
          },
          role: {
            system: 'http://terminology.hl7.org/CodeSystem/object-role',
            code: '1',
            display: 'Patient',
          },
        },
        {
          what: { reference: 'Observation/o-9' },
          type: {
            system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
            code: '2',
            display: 'System Object',
          },
          role: {
            system: 'http://terminology.hl7.org/CodeSystem/object-role',
            code: '4',
            display: 'Resource',
          },
        },
      ],
    })
  })

  test('a pack publish carries our subtype and a query its base64 text', ({ assert }) => {
    const publish = toFhirAuditEvent(
      createAuditRecord('pack-publish', {
        activeParticipants: [{ userId: 'informatician', isRequestor: true }],
        source: { auditSourceId: 'icdr' },
      })
    )
    const query = toFhirAuditEvent(
      createAuditRecord('query', {
        activeParticipants: [{ userId: 'user-17', isRequestor: true }],
        source: { auditSourceId: 'icdr' },
        participantObjects: [queryObject('Patient', 'name=Ada')],
      })
    )

    assert.deepEqual(publish.type, { system: DCM, code: '110100', display: 'Application Activity' })
    assert.deepEqual(publish.subtype, [
      { system: 'urn:outpost:audit', code: 'pack-publish', display: 'Rule pack published' },
    ])
    assert.equal(publish.action, 'E')
    assert.equal(query.entity?.[0].query, Buffer.from('name=Ada').toString('base64'))
    assert.deepEqual(query.entity?.[0].what, { identifier: { value: 'Patient' } })
    assert.equal(query.entity?.[0].role?.code, '24')
  })
})
