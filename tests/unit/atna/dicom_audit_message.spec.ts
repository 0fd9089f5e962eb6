import { test } from '@japa/runner'
import { AtnaError, type AtnaErrorCode } from '#interop/atna/atna_error'
import {
  AUDIT_EVENT_KINDS,
  createAuditRecord,
  patientObject,
  queryObject,
  resourceObject,
  type AuditEventKind,
  type AuditRecord,
  type ParticipantObject,
} from '#interop/atna/audit_record'
import { parseAuditMessageXml, toAuditMessageXml } from '#interop/atna/dicom_audit_message'

const CLINICIAN = {
  userId: 'user-17',
  userName: 'Amina Okafor',
  roles: [{ code: 'clinician', system: 'urn:outpost:roles', display: 'Clinician' }],
  isRequestor: true,
  networkAccessPoint: '10.4.0.21',
}

const ICDR = {
  auditSourceId: 'outpost-icdr@central',
  enterpriseSiteId: 'MoH',
  typeCode: 4,
} as const

/** What each kind of event is about, as the audit trail would record it. */
const OBJECTS: Record<AuditEventKind, ParticipantObject[]> = {
  'login': [],
  'logout': [],
  'lockout': [],
  'patient-record-create': [patientObject('p-1'), resourceObject('Patient/p-1')],
  'patient-record-read': [patientObject('p-1'), resourceObject('Observation/o-9')],
  'patient-record-update': [patientObject('p-1'), resourceObject('Immunization/i-3')],
  'patient-record-delete': [patientObject('p-1'), resourceObject('Condition/c-2')],
  'query': [patientObject('p-1'), queryObject('Observation', 'patient=p-1&code=29463-7')],
  'export': [queryObject('Patient', '_lastUpdated=ge2025-01-01')],
  'pack-publish': [resourceObject('RulePack/weight-for-age-dq')],
  'pack-install': [resourceObject('RulePack/weight-for-age-dq')],
  'device-enrolment': [resourceObject('Device/edge-07')],
  'shell-secret-failure': [resourceObject('/clinic/patients')],
}

function recordOf(kind: AuditEventKind, extra: Partial<AuditRecord> = {}): AuditRecord {
  return createAuditRecord(kind, {
    activeParticipants: [CLINICIAN],
    source: ICDR,
    participantObjects: OBJECTS[kind],
    description: `${kind} as the story goes`,
    ...extra,
  })
}

function refusal(action: () => unknown): AtnaError {
  try {
    action()
  } catch (error) {
    if (error instanceof AtnaError) {
      return error
    }
    throw error
  }
  throw new Error('expected an AtnaError')
}

function refusalCode(xml: string): AtnaErrorCode {
  return refusal(() => parseAuditMessageXml(xml)).code
}

/** A minimal message another system might send; `event` replaces the identification. */
function foreignMessage(event: string): string {
  return (
    '<?xml version="1.0"?>\n<AuditMessage>\n  ' +
    event +
    '\n  <ActiveParticipant UserID="nurse" UserIsRequestor="1"/>\n' +
    '  <AuditSourceIdentification AuditSourceID="his"/>\n</AuditMessage>\n'
  )
}

test.group('DICOM audit messages', () => {
  for (const kind of Object.keys(AUDIT_EVENT_KINDS) as AuditEventKind[]) {
    test(`a ${kind} event survives the trip through AuditMessage XML`, ({ assert }) => {
      const record = recordOf(kind)

      assert.deepEqual(parseAuditMessageXml(toAuditMessageXml(record)), record)
    })
  }

  test('a login is written with the DICOM User Authentication codes', ({ assert }) => {
    const xml = toAuditMessageXml(recordOf('login'))

    assert.include(
      xml,
      '<EventID csd-code="110114" codeSystemName="DCM" originalText="User Authentication"/>'
    )
    assert.include(
      xml,
      '<EventTypeCode csd-code="110122" codeSystemName="DCM" originalText="Login"/>'
    )
    assert.include(xml, 'EventActionCode="E"')
    assert.include(xml, 'EventOutcomeIndicator="0"')
    assert.match(
      xml,
      /^<\?xml version="1.0" encoding="UTF-8"\?><AuditMessage><EventIdentification /
    )
  })

  test('a lockout is a serious failure unless the caller says otherwise', ({ assert }) => {
    assert.equal(recordOf('lockout').outcome, 8)
    assert.equal(recordOf('shell-secret-failure').outcome, 4)
    assert.equal(recordOf('login', { outcome: 4 }).outcome, 4)
  })

  test('a query is carried base64-encoded in ParticipantObjectQuery', ({ assert }) => {
    const xml = toAuditMessageXml(recordOf('query'))
    const encoded = Buffer.from('patient=p-1&code=29463-7').toString('base64')

    assert.include(xml, `<ParticipantObjectQuery>${encoded}</ParticipantObjectQuery>`)
    assert.include(xml, 'ParticipantObjectTypeCodeRole="24"')
  })

  test('markup, quotes and line breaks in any field come back unchanged', ({ assert }) => {
    const awkward = `<b>"O'Brien" & co</b>\r\n\tnext ]]> line `
    const record = recordOf('patient-record-read', {
      activeParticipants: [{ ...CLINICIAN, userId: awkward, userName: awkward }],
      participantObjects: [patientObject(awkward, awkward), queryObject('Patient', awkward)],
      description: awkward,
    })
    const xml = toAuditMessageXml(record)

    assert.notInclude(xml, '<b>')
    assert.include(
      xml,
      'UserID="&lt;b&gt;&quot;O&apos;Brien&quot; &amp; co&lt;/b&gt;&#13;&#10;&#9;'
    )
    assert.include(xml, '<EventOutcomeDescription>&lt;b&gt;"O\'Brien" &amp; co&lt;/b&gt;&#13;\n')
    assert.include(xml, 'next ]]&gt; line')
    assert.deepEqual(parseAuditMessageXml(xml), record)
  })

  test('characters XML cannot carry are written as U+FFFD', ({ assert }) => {
    const xml = toAuditMessageXml(recordOf('login', { description: 'bell\u0007 here' }))

    assert.equal(parseAuditMessageXml(xml).description, 'bell\uFFFD here')
  })

  test('a message from another system without our record id gets a stable id', ({ assert }) => {
    const xml = foreignMessage(
      '<EventIdentification EventActionCode="E" EventDateTime="2025-03-01T08:15:00+02:00" EventOutcomeIndicator="4">' +
        '<EventID csd-code="110114" codeSystemName="DCM" originalText="User Authentication"/>' +
        '<EventTypeCode csd-code="110122" codeSystemName="DCM" originalText="Login"/>' +
        '<EventTypeCode csd-code="ITI-40" codeSystemName="IHE Transactions" originalText="Provide X-User Assertion"/>' +
        '</EventIdentification>'
    )
    const record = parseAuditMessageXml(xml)

    assert.equal(record.kind, 'login')
    assert.equal(record.outcome, 4)
    assert.equal(record.recordedAt.toISOString(), '2025-03-01T06:15:00.000Z')
    assert.deepEqual(record.activeParticipants, [{ userId: 'nurse', isRequestor: true }])
    assert.match(record.id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(parseAuditMessageXml(xml).id, record.id)
  })

  test('a patient record message names its kind through the action code', ({ assert }) => {
    const event = (action: string) =>
      foreignMessage(
        `<EventIdentification ${action} EventDateTime="2025-03-01T08:15:00Z" EventOutcomeIndicator="0">` +
          '<EventID csd-code="110110" codeSystemName="DCM" originalText="Patient Record"/>' +
          '</EventIdentification>'
      )

    assert.equal(parseAuditMessageXml(event('EventActionCode="U"')).kind, 'patient-record-update')
    assert.equal(refusalCode(event('EventActionCode="E"')), 'E_AUDIT_EVENT_UNKNOWN')
    assert.equal(refusalCode(event('')), 'E_AUDIT_EVENT_UNKNOWN')
  })

  test('a valid AuditMessage for an event we do not record is refused as unknown', ({ assert }) => {
    const error = refusal(() =>
      parseAuditMessageXml(
        foreignMessage(
          '<EventIdentification EventActionCode="C" EventDateTime="2025-03-01T08:15:00Z" EventOutcomeIndicator="0">' +
            '<EventID csd-code="110104" codeSystemName="DCM" originalText="DICOM Instances Transferred"/>' +
            '</EventIdentification>'
        )
      )
    )

    assert.equal(error.code, 'E_AUDIT_EVENT_UNKNOWN')
    assert.match(error.message, /110104 \(DICOM Instances Transferred\)/)
  })

  test('anything that is not an AuditMessage is refused with E_AUDIT_MESSAGE_INVALID', ({
    assert,
  }) => {
    const valid = toAuditMessageXml(recordOf('login'))
    const broken = [
      'plain text, not XML',
      '<AuditMessage><EventIdentification></AuditMessage>',
      '<Audit/>',
      valid.replace('<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE x [<!ENTITY a "b">]>'),
      valid.replace('outpost-icdr@central', '&nbsp;'),
      valid.replace('EventOutcomeIndicator="0"', 'EventOutcomeIndicator="3"'),
      valid.replace('EventActionCode="E"', 'EventActionCode="X"'),
      valid.replace(/EventDateTime="[^"]+"/, 'EventDateTime="2025-02-30T10:00:00Z"'),
      valid.replace(/EventDateTime="[^"]+"/, 'EventDateTime="2025-02-03T10:00:00"'),
      valid.replace(/ originalText="Login"/, ''),
      valid.replace(/<ActiveParticipant[^>]*>.*<\/ActiveParticipant>/, ''),
      valid.replace('UserIsRequestor="true"', 'UserIsRequestor="yes"'),
      valid.replace(/<AuditSourceIdentification.*?(\/>|<\/AuditSourceIdentification>)/, ''),
      valid.replace(
        '</EventIdentification>',
        '<EventID csd-code="1" codeSystemName="DCM" originalText="x"/></EventIdentification>'
      ),
      valid.replace(/<ParticipantObjectIDTypeCode[^>]*>/, ''),
    ]
    for (const xml of broken) {
      assert.equal(refusalCode(xml), 'E_AUDIT_MESSAGE_INVALID', xml)
    }
  })

  test('a query that is not base64 is refused', ({ assert }) => {
    const xml = toAuditMessageXml(recordOf('query')).replace(
      /<ParticipantObjectQuery>[^<]*</,
      '<ParticipantObjectQuery>not*base64<'
    )

    assert.equal(refusalCode(xml), 'E_AUDIT_MESSAGE_INVALID')
  })

  test('a record that cannot be written is refused with E_AUDIT_RECORD_INVALID', ({ assert }) => {
    const both = { ...patientObject('p-1', 'Ada'), query: 'name=Ada' }
    const cases: AuditRecord[] = [
      recordOf('login', { activeParticipants: [] }),
      recordOf('login', { recordedAt: new Date('not a date') }),
      { ...recordOf('patient-record-read'), action: 'D' },
      recordOf('query', { participantObjects: [both] }),
    ]
    for (const record of cases) {
      assert.equal(refusal(() => toAuditMessageXml(record)).code, 'E_AUDIT_RECORD_INVALID')
    }
  })
})
