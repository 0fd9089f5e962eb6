import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { Hl7Message } from '@medplum/core'
import { Hl7Client } from '@medplum/hl7'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { corpusMessageType, readHl7Corpus } from '#interop/hl7v2/corpus_reader'
import { MllpClient } from '#interop/hl7v2/mllp_client'
import { ApiClientService } from '#services/api_client_service'
import { HttpSession } from '#tests/helpers/http_session'
import { freePort, startNode, type NodeProcess } from '#tests/helpers/node_process'

const run = randomUUID().slice(0, 8)
const CORPUS = readHl7Corpus(join(process.cwd(), 'tests', 'fixtures', 'hl7v2', 'messages.txt'))

function ackOf(answer: Hl7Message) {
  const msa = answer.getSegment('MSA')!
  return { code: msa.getField(1).toString(), controlId: msa.getField(2).toString() }
}

function errors(answer: Hl7Message) {
  return answer.getAllSegments('ERR').map((segment) => ({
    location: segment.getField(2).toString(),
    code: segment.getComponent(3, 1),
    text: segment.getField(8).toString(),
  }))
}

/** Sends with the independent client; the answer is read with this project's message model. */
async function send(client: Hl7Client, message: Hl7Message) {
  const answer = await client.sendAndWait(message as any)
  return Hl7Message.parse(answer.toString())
}

/** A corpus message of this type, with a fresh MSH-10 (and a patient id of this run). */
function corpusMessage(type: string, index = 0) {
  const found = CORPUS.filter(({ message }) => corpusMessageType(message) === type)[index]
  if (!found) throw new Error(`no ${type} in the corpus`)
  const message = Hl7Message.parse(found.message)
  message.header.setField(10, `${run}-${type.replace('^', '')}-${index}`)
  return message
}

/**
 * The gateway's MLLP listener, spoken to by an independent client
 * (@medplum/hl7's Hl7Client) over a real TCP socket, with the shipped rule
 * packs active; results are read back through the FHIR API.
 */
test.group('HL7v2 over MLLP on the gateway', (group) => {
  let gateway: NodeProcess
  let client: Hl7Client
  let fhir: HttpSession
  let mllpPort: number

  group.setup(async () => {
    const port = await freePort()
    mllpPort = port
    gateway = await startNode({ APP_ROLE: 'gateway', HL7_MLLP_PORT: String(port) })
    const connection = `hl7_${run}`
    db.manager.add(connection, {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: gateway.sqlitePath },
    })
    const token = await new ApiClientService(db.connection(connection) as any).register('reader', [
      'fhir',
    ])
    await db.manager.close(connection)
    fhir = new HttpSession(`${gateway.url}/fhir`, { authorization: `Bearer ${token}` })
    client = new Hl7Client({ host: '127.0.0.1', port })
    return async () => {
      await client.close()
      await gateway.stop()
    }
  })

  test('a VXU is stored as a Patient and its Immunizations, and acknowledged AA', async ({
    assert,
  }) => {
    const message = corpusMessage('VXU^V04')
    const answer = await send(client, message)
    const ack = ackOf(answer)
    assert.equal(ack.code, 'AA', answer.toString())
    assert.equal(ack.controlId, message.header.getComponent(10, 1))

    const family = message.getSegment('PID')!.getComponent(5, 1)
    const patients = await fhir.request('GET', `/Patient?family=${encodeURIComponent(family)}`)
    assert.isAtLeast(patients.json.total, 1)
    const patientId = patients.json.entry[0].resource.id
    const immunizations = await fhir.request('GET', `/Immunization?patient=Patient/${patientId}`)
    const administrations = message.getAllSegments('RXA').length
    assert.equal(immunizations.json.total, administrations)
    const cvx = immunizations.json.entry.map(
      (entry: any) => entry.resource.vaccineCode.coding[0].code
    )
    for (const rxa of message.getAllSegments('RXA')) {
      const code = rxa.getComponent(5, 1)
      if (rxa.getComponent(5, 3) === 'CVX') assert.include(cvx, code)
    }
  })

  test('each supported ADT of the corpus is acknowledged AA and its patient found', async ({
    assert,
  }) => {
    for (const type of ['ADT^A01', 'ADT^A04', 'ADT^A08']) {
      const message = corpusMessage(type)
      const answer = await send(client, message)
      assert.equal(ackOf(answer).code, 'AA', `${type}: ${answer.toString()}`)
      const family = message.getSegment('PID')!.getComponent(5, 1)
      const patients = await fhir.request('GET', `/Patient?family=${encodeURIComponent(family)}`)
      assert.isAtLeast(patients.json.total, 1, type)
    }
  })

  test('every corpus message of a supported type gets the right answer, and the patient is as PID said', async ({
    assert,
  }) => {
    const GENDERS: Record<string, string> = { F: 'female', M: 'male', O: 'other', U: 'unknown' }
    let checked = 0
    for (const [index, { message: text }] of CORPUS.entries()) {
      const type = corpusMessageType(text)
      if (!['ADT^A01', 'ADT^A04', 'ADT^A08', 'VXU^V04', 'QBP^Q22', 'ADT^A40'].includes(type)) {
        continue
      }
      const message = Hl7Message.parse(text)
      message.header.setField(10, `${run}-corpus-${index}`)
      const answer = await send(client, message)
      checked++
      if (type === 'QBP^Q22') {
        assert.equal(answer.header.getComponent(9, 1), 'RSP', `${index}: ${answer.toString()}`)
        assert.oneOf(answer.getSegment('QAK')!.getField(2).toString(), ['OK', 'NF'])
        continue
      }
      const expected = type === 'ADT^A40' ? 'AR' : 'AA'
      assert.equal(ackOf(answer).code, expected, `${type} #${index}: ${answer.toString()}`)
      if (expected === 'AR') continue

      const pid = message.getSegment('PID')!
      const id = pid.getComponent(3, 1)
      const found = await fhir.request('GET', `/Patient?identifier=${encodeURIComponent(id)}`)
      assert.isAtLeast(found.json.total, 1, `${type} #${index}: patient ${id}`)
      const patient = found.json.entry[0].resource
      const birth = pid.getComponent(7, 1)
      if (birth.length >= 8) {
        assert.equal(
          patient.birthDate,
          `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`
        )
      }
      const sex = pid.getComponent(8, 1)
      if (GENDERS[sex]) assert.equal(patient.gender, GENDERS[sex])
      assert.equal(patient.name[0].family, pid.getComponent(5, 1))
    }
    assert.isAtLeast(checked, 15)
  })

  test('a merge (ADT^A40) is refused AR with the reason', async ({ assert }) => {
    const answer = await send(client, corpusMessage('ADT^A40'))
    assert.equal(ackOf(answer).code, 'AR')
    assert.include(errors(answer)[0].text, 'merge')
  })

  test('a demographic query (QBP^Q22) is answered RSP^K22 from the local store', async ({
    assert,
  }) => {
    const vxu = corpusMessage('VXU^V04', 0)
    const family = vxu.getSegment('PID')!.getComponent(5, 1)
    const query = Hl7Message.parse(
      [
        `MSH|^~\\&|EMR|CLINIC|OUTPOST|GW|20260101120000||QBP^Q22^QBP_Q21|${run}-q1|P|2.5.1`,
        `QPD|IHE PDQ Query|${run}-tag|@PID.5.1.1^${family}`,
        'RCP|I|10^RD',
      ].join('\r')
    )
    const answer = await send(client, query)
    assert.equal(answer.header.getComponent(9, 1), 'RSP')
    assert.equal(answer.header.getComponent(9, 2), 'K22')
    assert.equal(answer.getSegment('QAK')!.getField(1).toString(), `${run}-tag`)
    assert.equal(answer.getSegment('QAK')!.getField(2).toString(), 'OK')
    assert.isAtLeast(answer.getAllSegments('PID').length, 1)
  })

  test('a message a business rule refuses is answered AE naming the rule, and nothing is stored', async ({
    assert,
  }) => {
    const message = corpusMessage('VXU^V04')
    message.header.setField(10, `${run}-no-gender`)
    const pid = message.getSegment('PID')!
    pid.setField(8, '')
    pid.setField(3, `NOGENDER${run}^^^MYEHR^MR`)
    const answer = await send(client, message)
    assert.equal(ackOf(answer).code, 'AE', answer.toString())
    const [refusal] = errors(answer).filter((error) => error.text.includes('gender'))
    assert.exists(refusal, answer.toString())
    assert.match(refusal.location, /^PID/)
    const stored = await fhir.request('GET', `/Patient?identifier=NOGENDER${run}`)
    assert.equal(stored.json.total, 0)
  })

  test('the same MSH-10 sent again is acknowledged the same way and stored once', async ({
    assert,
  }) => {
    const message = corpusMessage('ADT^A04', 1)
    message.header.setField(10, `${run}-duplicate`)
    const first = await send(client, message)
    const second = await send(client, message)
    assert.equal(ackOf(first).code, 'AA')
    assert.equal(second.toString(), first.toString())
    const family = message.getSegment('PID')!.getComponent(5, 1)
    const patients = await fhir.request('GET', `/Patient?family=${encodeURIComponent(family)}`)
    const history = await fhir.request(
      'GET',
      `/Patient/${patients.json.entry[0].resource.id}/_history`
    )
    const versions = history.json.entry.length
    await send(client, message)
    const after = await fhir.request(
      'GET',
      `/Patient/${patients.json.entry[0].resource.id}/_history`
    )
    assert.equal(after.json.entry.length, versions)
  })

  test('a message with no readable MSH is refused AR, and the listener keeps serving', async ({
    assert,
  }) => {
    const raw = new MllpClient({ host: '127.0.0.1', port: mllpPort, timeoutMs: 5000 })
    try {
      const answer = Hl7Message.parse(await raw.send('this is not HL7\rPID|1'))
      assert.equal(ackOf(answer).code, 'AR')
    } finally {
      await raw.close()
    }
    const after = await send(client, corpusMessage('ADT^A08'))
    assert.equal(ackOf(after).code, 'AA')
  })

  test('an unsupported message type and an unsupported version are refused AR', async ({
    assert,
  }) => {
    const unknownType = Hl7Message.parse(
      `MSH|^~\\&|LAB|X|OUTPOST|GW|20260101||ZZZ^Z01|${run}-zzz|P|2.5.1\rPID|1||1^^^X^MR`
    )
    const typeAnswer = await send(client, unknownType)
    assert.equal(ackOf(typeAnswer).code, 'AR')
    assert.equal(errors(typeAnswer)[0].code, '200')
    const oldVersion = Hl7Message.parse(
      `MSH|^~\\&|LAB|X|OUTPOST|GW|20260101||ADT^A04|${run}-v21|P|2.1\rPID|1||1^^^X^MR`
    )
    const versionAnswer = await send(client, oldVersion)
    assert.equal(ackOf(versionAnswer).code, 'AR')
    assert.equal(errors(versionAnswer)[0].code, '203')
  })
})
