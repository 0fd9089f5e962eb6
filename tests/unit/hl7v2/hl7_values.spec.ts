import { test } from '@japa/runner'
import { escapeHl7, hl7DateToFhir, hl7TimeToFhir, unescapeHl7 } from '#interop/hl7v2/hl7_values'

test.group('HL7 values', () => {
  test('timestamps keep the precision the sender gave', ({ assert }) => {
    assert.deepInclude(hl7TimeToFhir('2011'), { ok: true, value: '2011' })
    assert.deepInclude(hl7TimeToFhir('201104'), { ok: true, value: '2011-04' })
    assert.deepInclude(hl7TimeToFhir('20110411'), { ok: true, value: '2011-04-11' })
    assert.deepInclude(hl7TimeToFhir('201201130000-0500'), {
      ok: true,
      value: '2012-01-13T00:00:00-05:00',
    })
    assert.deepInclude(hl7TimeToFhir('20090224104145.123+0100'), {
      ok: true,
      value: '2009-02-24T10:41:45.123+01:00',
    })
  })

  test('a time without any zone keeps the day only, or takes the header zone', ({ assert }) => {
    assert.deepInclude(hl7TimeToFhir('201201131530'), { ok: true, value: '2012-01-13' })
    assert.deepInclude(hl7TimeToFhir('201201131530', '-0500'), {
      ok: true,
      value: '2012-01-13T15:30:00-05:00',
    })
  })

  test('impossible dates are refused', ({ assert }) => {
    for (const text of ['20110231', '20111301', '2011041', 'tomorrow', '20110411256000', '']) {
      assert.isFalse(hl7TimeToFhir(text).ok, text)
    }
    assert.deepInclude(hl7DateToFhir('19661109120000-0600'), { ok: true, value: '1966-11-09' })
  })

  test('escaping and unescaping round-trip', ({ assert }) => {
    const text = 'a|b^c&d~e\\f'
    assert.equal(escapeHl7(text), 'a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f')
    assert.equal(unescapeHl7(escapeHl7(text)), text)
    assert.equal(unescapeHl7('line\\.br\\two \\X41\\'), 'line\ntwo A')
  })
})
