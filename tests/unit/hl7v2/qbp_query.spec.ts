import { Hl7Message } from '@medplum/core'
import type { Patient } from '@medplum/fhirtypes'
import { test } from '@japa/runner'
import { parseQbpQ22 } from '#interop/hl7v2/qbp_query'
import { buildRspK22 } from '#interop/hl7v2/rsp_builder'
import { corpusMessages } from '#tests/unit/hl7v2/hl7_corpus'

const QBP = Hl7Message.parse(
  'MSH|^~\\&|EMR|CLINIC|GW|HUB|20260101||QBP^Q22^QBP_Q21|Q1|P|2.5\rQPD|Q22^Find Candidates^HL7|TAG42|@PID.5.1.1^MOO*~@PID.5.2^ANN~@PID.7^19780820~@PID.8^F~@PID.3.1^A1\rRCP|I|10^RD\r'
)

const PATIENT: Patient = {
  resourceType: 'Patient',
  identifier: [
    {
      system: 'urn:oid:1.2.3',
      value: 'A1',
      assigner: { display: 'HOSP' },
      type: { coding: [{ code: 'MR' }] },
    },
  ],
  name: [{ family: 'MOODY', given: ['ANN'] }],
  birthDate: '1978-08-20',
  gender: 'female',
  address: [{ line: ['1000 CLAYTON RD'], city: 'CLAYTON', state: 'MO', postalCode: '63105' }],
}

test.group('PDQ query and response', () => {
  test('QPD-3 parameters become a neutral query', ({ assert }) => {
    const { query, issues } = parseQbpQ22(QBP)
    assert.deepEqual(issues, [])
    assert.deepEqual(query, {
      queryTag: 'TAG42',
      queryName: 'Q22',
      family: 'MOO*',
      given: 'ANN',
      birthDate: '1978-08-20',
      gender: 'female',
      identifier: { value: 'A1' },
      limit: 10,
    })
  })

  test('every IHE sample query of the corpus is read', ({ assert }) => {
    const samples = corpusMessages('QBP^Q22')
    assert.lengthOf(samples, 10)
    for (const sample of samples) {
      const { query, issues } = parseQbpQ22(Hl7Message.parse(sample.message))
      assert.isDefined(query?.queryTag)
      assert.deepEqual(issues, [])
    }
  })

  test('an identifier with its assigning authority becomes a system', ({ assert }) => {
    const [byIdentifier] = corpusMessages('QBP^Q22').filter((sample) =>
      sample.message.includes('@PID.3.1^PDQ113XX05')
    )
    const { query } = parseQbpQ22(Hl7Message.parse(byIdentifier.message))
    assert.deepEqual(query?.identifier, {
      value: 'PDQ113XX05',
      system: 'urn:oid:1.3.6.1.4.1.21367.2009.1.2.300',
    })
  })

  test('the RSP^K22 echoes the query and lists one PID per candidate', ({ assert }) => {
    const rsp = buildRspK22(QBP, [PATIENT], { queryTag: 'TAG42', status: 'OK' })
      .split('\r')
      .filter(Boolean)
    const [msh, msa, qak, qpd, pid] = rsp.map((segment) => segment.split('|'))
    assert.deepEqual(msh.slice(2, 6), ['GW', 'HUB', 'EMR', 'CLINIC'])
    assert.equal(msh[8], 'RSP^K22^RSP_K21')
    assert.deepEqual(msa, ['MSA', 'AA', 'Q1'])
    assert.deepEqual(qak.slice(0, 3), ['QAK', 'TAG42', 'OK'])
    assert.equal(qpd.join('|'), QBP.getSegment('QPD')!.toString())
    assert.equal(pid[3], 'A1^^^HOSP&1.2.3&ISO^MR')
    assert.equal(pid[5], 'MOODY^ANN')
    assert.equal(pid[7], '19780820')
    assert.equal(pid[8], 'F')
    assert.equal(pid[11], '1000 CLAYTON RD^^CLAYTON^MO^63105')
  })

  test('no candidates answer NF without PID', ({ assert }) => {
    const rsp = buildRspK22(QBP, [], { queryTag: 'TAG42', status: 'NF' })
      .split('\r')
      .filter(Boolean)
    assert.lengthOf(rsp, 4)
    assert.deepEqual(rsp[2].split('|').slice(0, 3), ['QAK', 'TAG42', 'NF'])
  })

  test('a bad birth date in the query is an error on QPD-3', ({ assert }) => {
    const bad = Hl7Message.parse(QBP.toString().replace('19780820', '19781320'))
    assert.deepInclude(parseQbpQ22(bad).issues[0], {
      code: '102',
      location: { segment: 'QPD', sequence: 1, field: 3 },
    })
  })
})
