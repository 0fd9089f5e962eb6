import { test } from '@japa/runner'
import { AtnaError, type AtnaErrorCode } from '#interop/atna/atna_error'
import { formatSyslog, parseSyslog, type SyslogMessageInput } from '#interop/atna/syslog_message'

const AT = new Date('2025-06-01T09:30:15.042Z')

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

function parseRefusal(text: string | Buffer): AtnaErrorCode {
  return refusal(() => parseSyslog(text)).code
}

function formatRefusal(input: Partial<SyslogMessageInput>): string {
  const error = refusal(() => formatSyslog({ message: 'x', ...input }))
  if (error.code !== 'E_SYSLOG_FIELD_INVALID') {
    throw error
  }
  return error.message
}

test.group('Syslog messages', () => {
  test('an audit message goes out as authpriv.notice with the IHE MSGID and a BOM', ({
    assert,
  }) => {
    const text = formatSyslog({
      timestamp: AT,
      hostname: 'edge-07.clinic.example',
      appName: 'outpost',
      procId: '4242',
      message: '<AuditMessage/>',
    })

    assert.equal(
      text,
      '<85>1 2025-06-01T09:30:15.042Z edge-07.clinic.example outpost 4242 IHE+RFC-3881 - \uFEFF<AuditMessage/>'
    )
    assert.deepEqual(
      Buffer.from(text).subarray(text.indexOf('\uFEFF'), text.indexOf('\uFEFF') + 3),
      Buffer.from([0xef, 0xbb, 0xbf])
    )
  })

  test('absent fields are written as the NILVALUE and read back as absent', ({ assert }) => {
    const text = formatSyslog({ facility: 4, severity: 2, msgId: null, message: 'hello' })

    assert.equal(text, '<34>1 - - - - - - \uFEFFhello')
    assert.deepEqual(parseSyslog(text), {
      facility: 4,
      severity: 2,
      version: 1,
      message: 'hello',
      bom: true,
    })
  })

  test('a formatted message reads back field for field', ({ assert }) => {
    const parsed = parseSyslog(
      formatSyslog({
        timestamp: AT,
        hostname: 'icdr',
        appName: 'outpost',
        procId: '1',
        message: 'Zürich <ok> \r\n',
      })
    )

    assert.deepEqual(parsed, {
      facility: 10,
      severity: 5,
      version: 1,
      timestamp: AT,
      hostname: 'icdr',
      appName: 'outpost',
      procId: '1',
      msgId: 'IHE+RFC-3881',
      message: 'Zürich <ok> \r\n',
      bom: true,
    })
  })

  test('messages from other senders: offsets, microseconds, structured data, no BOM', ({
    assert,
  }) => {
    const parsed = parseSyslog(
      '<165>1 2003-10-11T22:14:15.003000-07:00 mymachine.example.com evntslog - ID47 ' +
        '[exampleSDID@32473 iut="3" eventSource="App\\"lication\\]"][examplePriority@32473 class="high"] An application event'
    )

    assert.equal(parsed.facility, 20)
    assert.equal(parsed.severity, 5)
    assert.equal(parsed.timestamp?.toISOString(), '2003-10-12T05:14:15.003Z')
    assert.isUndefined(parsed.procId)
    assert.equal(parsed.msgId, 'ID47')
    assert.equal(
      parsed.structuredData,
      '[exampleSDID@32473 iut="3" eventSource="App\\"lication\\]"][examplePriority@32473 class="high"]'
    )
    assert.equal(parsed.message, 'An application event')
    assert.isFalse(parsed.bom)
    assert.equal(parseSyslog('<0>1 - - - - - -').message, '')
  })

  test('a bad PRI, VERSION, TIMESTAMP or field is refused as E_SYSLOG_MALFORMED', ({ assert }) => {
    const bad = [
      '',
      'no pri at all',
      '<>1 - - - - - - x',
      '<192>1 - - - - - - x',
      '<013>1 - - - - - - x',
      '<1a>1 - - - - - - x',
      '<13>2 - - - - - - x',
      '<13>0 - - - - - - x',
      '<13> - - - - - - x',
      '<13>1 2025-13-01T00:00:00Z - - - - - x',
      '<13>1 2025-02-29T00:00:00Z - - - - - x',
      '<13>1 2025-01-01T00:00:60Z - - - - - x',
      '<13>1 2025-01-01T00:00:00.1234567Z - - - - - x',
      '<13>1 2025-01-01T00:00:00 - - - - - x',
      `<13>1 - ${'h'.repeat(256)} - - - - x`,
      `<13>1 - - ${'a'.repeat(49)} - - - x`,
      `<13>1 - - - ${'p'.repeat(129)} - - x`,
      `<13>1 - - - - ${'m'.repeat(33)} - x`,
      '<13>1 -  - - - - - x',
      '<13>1 - host',
      '<13>1 - - - - - x x',
      '<13>1 - - - - - [id x] x',
      '<13>1 - - - - - [id x="1" x',
      '<13>1 - - - - - -x',
    ]
    for (const text of bad) {
      assert.equal(parseRefusal(text), 'E_SYSLOG_MALFORMED', text)
    }
    assert.equal(
      parseRefusal(Buffer.from('<13>1 - h\u00e9 - - - - x', 'latin1')),
      'E_SYSLOG_MALFORMED'
    )
  })

  test('MSG after a BOM must be UTF-8', ({ assert }) => {
    const bytes = Buffer.concat([
      Buffer.from('<13>1 - - - - - - '),
      Buffer.from([0xef, 0xbb, 0xbf, 0xc3, 0x28]),
    ])

    assert.equal(parseRefusal(bytes), 'E_SYSLOG_MALFORMED')
  })

  test('fields RFC 5424 does not allow are refused when writing', ({ assert }) => {
    assert.match(formatRefusal({ facility: 24 }), /facility 24/)
    assert.match(formatRefusal({ severity: -1 }), /severity -1/)
    assert.match(formatRefusal({ hostname: 'my host' }), /hostname/)
    assert.match(formatRefusal({ hostname: 'h'.repeat(256) }), /1 to 255/)
    assert.match(formatRefusal({ appName: 'a'.repeat(49) }), /1 to 48/)
    assert.match(formatRefusal({ procId: 'p'.repeat(129) }), /1 to 128/)
    assert.match(formatRefusal({ msgId: 'm'.repeat(33) }), /1 to 32/)
    assert.match(formatRefusal({ appName: 'café' }), /printable US-ASCII/)
    assert.match(formatRefusal({ hostname: '-' }), /leave it out/)
    assert.match(formatRefusal({ hostname: '' }), /hostname/)
    assert.match(formatRefusal({ timestamp: new Date(Number.NaN) }), /timestamp/)
  })
})
