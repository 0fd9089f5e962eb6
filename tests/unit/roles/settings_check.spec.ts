import { test } from '@japa/runner'
import { parseRole, roleSettingProblems } from '#roles/settings_check'

test.group('Role settings at boot', () => {
  test('accepts each of the five roles', ({ assert }) => {
    for (const role of ['icdr', 'gateway', 'desktop', 'android', 'portal']) {
      assert.equal(parseRole('APP_ROLE', role), role)
    }
  })

  test('refuses an unknown role, naming the ones it accepts', ({ assert }) => {
    assert.throws(
      () => parseRole('APP_ROLE', 'server'),
      'APP_ROLE="server" is not a role: set it to one of icdr, gateway, desktop, android, portal'
    )
  })

  test('asks for APP_ROLE when it is missing', ({ assert }) => {
    assert.throws(() => parseRole('APP_ROLE', undefined), /set APP_ROLE to one of/)
  })

  test('a portal needs the iCDR it serves from', ({ assert }) => {
    assert.deepEqual(roleSettingProblems({ APP_ROLE: 'portal' }), [
      'set ICDR_URL (the portal has no local store and serves everything from the iCDR)',
    ])
    assert.deepEqual(roleSettingProblems({ APP_ROLE: 'portal', ICDR_URL: 'http://icdr:3333' }), [])
  })

  test('shell roles need their secret and refuse any host but loopback', ({ assert }) => {
    assert.deepEqual(roleSettingProblems({ APP_ROLE: 'android', HOST: '0.0.0.0' }), [
      'unset HOST=0.0.0.0: the android role binds 127.0.0.1 only',
      'set SHELL_SECRET (the android shell passes its per-launch secret)',
    ])
    assert.deepEqual(
      roleSettingProblems({ APP_ROLE: 'desktop', HOST: '127.0.0.1', SHELL_SECRET: 's' }),
      []
    )
  })

  test('edges keep their store in SQLite; a MySQL iCDR needs its server', ({ assert }) => {
    assert.lengthOf(roleSettingProblems({ APP_ROLE: 'gateway', DB_CONNECTION: 'mysql' }), 1)
    assert.deepEqual(roleSettingProblems({ APP_ROLE: 'icdr', DB_CONNECTION: 'mysql' }), [
      'set MYSQL_HOST (DB_CONNECTION=mysql needs the MySQL server address)',
      'set MYSQL_DATABASE (DB_CONNECTION=mysql needs the database name)',
    ])
  })
})
