import { test } from '@japa/runner'
import { forClientParser } from '#interop/ldap/ldap_connection'
import { escapeFilterValue, fillFilterTemplate } from '#interop/ldap/ldap_filter'

test.group('LDAP filter escaping (RFC 4515)', () => {
  test('plain ASCII logins pass through unchanged', ({ assert }) => {
    assert.equal(escapeFilterValue('amina'), 'amina')
    assert.equal(escapeFilterValue("o'brien"), "o'brien")
    assert.equal(escapeFilterValue('j.doe-2@ward_7'), 'j.doe-2@ward_7')
  })

  test('each metacharacter becomes its two-digit escape', ({ assert }) => {
    assert.equal(escapeFilterValue('*'), '\\2a')
    assert.equal(escapeFilterValue('('), '\\28')
    assert.equal(escapeFilterValue(')'), '\\29')
    assert.equal(escapeFilterValue('\\'), '\\5c')
    assert.equal(escapeFilterValue('\0'), '\\00')
  })

  test('an injection attempt stays one assertion value', ({ assert }) => {
    assert.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a')
    assert.equal(escapeFilterValue('amina)(|(uid=*'), 'amina\\29\\28|\\28uid=\\2a')
    assert.equal(escapeFilterValue('\\2a'), '\\5c2a')
  })

  test('characters outside ASCII are escaped octet by octet in UTF-8', ({ assert }) => {
    assert.equal(escapeFilterValue('zoë'), 'zo\\c3\\ab')
    assert.equal(escapeFilterValue('João'), 'Jo\\c3\\a3o')
    assert.equal(escapeFilterValue('医'), '\\e5\\8c\\bb')
    assert.equal(escapeFilterValue('🩺'), '\\f0\\9f\\a9\\ba')
  })

  test('control characters are escaped so the filter stays printable', ({ assert }) => {
    assert.equal(escapeFilterValue('a\nb\x7f'), 'a\\0ab\\7f')
  })

  test('a template gets every placeholder filled with an escaped value', ({ assert }) => {
    const filter = fillFilterTemplate('(&(objectClass=inetOrgPerson)(uid={username}))', {
      username: '*)(uid=*',
    })
    assert.equal(filter, '(&(objectClass=inetOrgPerson)(uid=\\2a\\29\\28uid=\\2a))')
  })

  test('replacement patterns in a value are taken literally', ({ assert }) => {
    const filter = fillFilterTemplate('(member={dn})', { dn: "cn=$&$',ou=x" })
    assert.equal(filter, "(member=cn=$&$',ou=x)")
  })

  test('a placeholder without a value is a mistake, not an empty match', ({ assert }) => {
    assert.throws(() => fillFilterTemplate('(uid={login})', { username: 'amina' }), /\{login\}/)
  })
})

test.group('LDAP filters handed to the client library', () => {
  test('UTF-8 escapes become the characters they encode', ({ assert }) => {
    assert.equal(forClientParser('(uid=zo\\c3\\ab)'), '(uid=zoë)')
    assert.equal(forClientParser(`(uid=${escapeFilterValue('🩺医')})`), '(uid=🩺医)')
  })

  test('escapes of metacharacters stay escaped', ({ assert }) => {
    const filter = `(uid=${escapeFilterValue('*)(uid=\\c3*')})`

    assert.equal(forClientParser(filter), filter)
  })

  test('escapes that are not UTF-8 pass unchanged', ({ assert }) => {
    assert.equal(forClientParser('(objectGUID=\\ff\\fe)'), '(objectGUID=\\ff\\fe)')
  })
})
