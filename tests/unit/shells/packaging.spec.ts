import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { parse } from 'yaml'
import { runtimePaths } from '#shells/app_paths'

const desktopDir = () => app.makePath('edge', 'desktop')

async function builderConfig() {
  return parse(await readFile(join(desktopDir(), 'electron-builder.yml'), 'utf8'))
}

/** electron-builder's own check of a configuration, from edge/desktop's devDependencies. */
function validateConfiguration(config: unknown): Promise<void> {
  const require = createRequire(join(desktopDir(), 'package.json'))
  const { validateConfiguration: validate } = require('app-builder-lib/out/util/config/config.js')
  return validate(config, { add() {}, isEnabled: false })
}

test.group('Desktop app packaging', () => {
  test('electron-builder accepts the configuration and refuses a misspelt one', async ({
    assert,
  }) => {
    const config = await builderConfig()
    await validateConfiguration(config)
    const misspelt = { ...config, linux: { ...config.linux, targets: ['AppImage'] } }
    await assert.rejects(() => validateConfiguration(misspelt), /configuration\.linux/)
  })

  test('Linux (AppImage, deb) and Windows (nsis) packages are built', async ({ assert }) => {
    const config = await builderConfig()
    assert.includeMembers(config.linux.target, ['AppImage', 'deb'])
    assert.deepEqual(config.win.target, ['nsis'])
    assert.isFalse(config.nsis.deleteAppDataOnUninstall, 'records survive an uninstall')
  })

  test('the packaged app carries the core and Node 24 where the launcher looks for them', async ({
    assert,
  }) => {
    const config = await builderConfig()
    const resources = Object.fromEntries(
      config.extraResources.map((entry: { from: string; to: string }) => [entry.to, entry.from])
    )
    const packaged = runtimePaths({
      packaged: true,
      resourcesPath: '/opt/Outpost/resources',
      appPath: 'unused',
      platform: 'linux',
    })
    assert.equal(packaged.coreRoot, join('/opt/Outpost/resources', 'core'))
    assert.equal(packaged.nodePath, join('/opt/Outpost/resources', 'node', 'node'))
    assert.equal(resources.core, '../../build/desktop/core')
    assert.equal(resources.node, '../../build/desktop/node')
  })

  test('fuses turn off running Electron as Node, NODE_OPTIONS, inspect flags and file:// privileges', async ({
    assert,
  }) => {
    const { electronFuses } = await builderConfig()
    assert.deepInclude(electronFuses, {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      grantFileProtocolExtraPrivileges: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    })
  })

  test('the main process asks for every window setting the security checklist names', async ({
    assert,
  }) => {
    const main = await readFile(join(desktopDir(), 'src', 'main.ts'), 'utf8')
    for (const setting of [
      'contextIsolation: true',
      'sandbox: true',
      'nodeIntegration: false',
      'webSecurity: true',
      'allowRunningInsecureContent: false',
      'webviewTag: false',
      'app.enableSandbox()',
      'setPermissionRequestHandler',
      'setWindowOpenHandler',
      "'will-navigate'",
      "'will-attach-webview'",
    ]) {
      assert.include(main, setting)
    }
    assert.notInclude(main, 'shell.openExternal')
    assert.notInclude(main, 'preload')
  })
})
