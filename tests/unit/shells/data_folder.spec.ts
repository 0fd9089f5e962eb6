import { test } from '@japa/runner'
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dataLayout, loadOrCreateAppKey, prepareDataDir, runtimePaths } from '#shells/app_paths'
import { ALLOWED_SETTINGS, readShellSettings, ShellSettingsError } from '#shells/shell_settings'

test.group('Desktop shell: the data folder', () => {
  test('the store, logs and key live under the user application-data folder', async ({
    assert,
  }) => {
    const userData = join(await mkdtemp(join(tmpdir(), 'outpost-appdata-')), 'Outpost')
    const layout = dataLayout(userData)
    assert.deepEqual(layout, {
      dir: userData,
      sqlitePath: join(userData, 'desktop.sqlite'),
      logsDir: join(userData, 'logs'),
      logFile: join(userData, 'logs', 'core.log'),
      appKeyFile: join(userData, 'app-key'),
      settingsFile: join(userData, 'settings.json'),
      pidFile: join(userData, 'core.pid'),
    })
    await prepareDataDir(layout)
    const dir = await stat(layout.dir)
    assert.equal(dir.mode & 0o777, 0o700)
  })

  test('the app key is made once, readable by the user only, and kept across launches', async ({
    assert,
  }) => {
    const file = join(await mkdtemp(join(tmpdir(), 'outpost-appdata-')), 'app-key')
    const first = await loadOrCreateAppKey(file)
    assert.isAtLeast(first.length, 32)
    const info = await stat(file)
    assert.equal(info.mode & 0o777, 0o600)
    assert.equal(await loadOrCreateAppKey(file), first)
    assert.equal(await readFile(file, 'utf8'), `${first}\n`)
  })

  test('a truncated app key file is replaced by a full key', async ({ assert }) => {
    const file = join(await mkdtemp(join(tmpdir(), 'outpost-appdata-')), 'app-key')
    await writeFile(file, 'short')
    const key = await loadOrCreateAppKey(file)
    assert.isAtLeast(key.length, 32)
  })

  test('packaged, Node and the core come from the resources folder; from a checkout, from the checkout', ({
    assert,
  }) => {
    assert.deepEqual(
      runtimePaths({
        packaged: true,
        resourcesPath: 'C:\\Program Files\\Outpost\\resources',
        appPath: 'ignored',
        platform: 'win32',
      }),
      {
        nodePath: join('C:\\Program Files\\Outpost\\resources', 'node', 'node.exe'),
        coreRoot: join('C:\\Program Files\\Outpost\\resources', 'core'),
      }
    )
    assert.deepEqual(
      runtimePaths({
        packaged: false,
        resourcesPath: 'ignored',
        appPath: '/work/outpost/edge/desktop',
        platform: 'linux',
      }),
      {
        nodePath: '/work/outpost/node_modules/node/bin/node',
        coreRoot: '/work/outpost',
      }
    )
  })
})

test.group('Desktop shell: settings.json', () => {
  async function settingsFile(content: string) {
    const file = join(await mkdtemp(join(tmpdir(), 'outpost-settings-')), 'settings.json')
    await writeFile(file, content)
    return file
  }

  test('no settings file means no settings', async ({ assert }) => {
    assert.deepEqual(await readShellSettings(join(tmpdir(), 'no-such-dir', 'settings.json')), {})
  })

  test('allowed settings are passed on as strings', async ({ assert }) => {
    const file = await settingsFile(
      JSON.stringify({
        ICDR_URL: 'https://icdr.example.org',
        IMPORT_SHIPPED_PACKS: false,
        OTA_CHECK_INTERVAL_SECONDS: 600,
      })
    )
    assert.deepEqual(await readShellSettings(file), {
      ICDR_URL: 'https://icdr.example.org',
      IMPORT_SHIPPED_PACKS: 'false',
      OTA_CHECK_INTERVAL_SECONDS: '600',
    })
  })

  test('settings that decide the shell contract are refused with the reason', async ({
    assert,
  }) => {
    for (const key of [
      'HOST',
      'PORT',
      'APP_ROLE',
      'SHELL_SECRET',
      'SHELL_SECRET_FD',
      'NODE_OPTIONS',
      'SQLITE_PATH',
      'APP_KEY',
    ]) {
      assert.notInclude(ALLOWED_SETTINGS as readonly string[], key)
      const file = await settingsFile(JSON.stringify({ [key]: 'x' }))
      const error = await readShellSettings(file).catch((caught) => caught)
      assert.instanceOf(error, ShellSettingsError, key)
      assert.include(error.message, `"${key}" cannot be set here`)
    }
  })

  test('a file that is not a flat JSON object is refused, not ignored', async ({ assert }) => {
    for (const content of ['{ICDR_URL:', '[]', '"text"', '{"ICDR_URL":{"nested":true}}']) {
      const error = await readShellSettings(await settingsFile(content)).catch((caught) => caught)
      assert.instanceOf(error, ShellSettingsError, content)
      assert.equal(error.code, 'E_SHELL_SETTINGS')
    }
  })
})
