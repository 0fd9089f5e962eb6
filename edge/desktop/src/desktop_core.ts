import { generateSecret } from './secret.js'
import { freeLoopbackPort } from './loopback_port.js'
import { dataLayout, loadOrCreateAppKey, prepareDataDir, type DataLayout } from './app_paths.js'
import type { RuntimePaths } from './app_paths.js'
import { readShellSettings } from './shell_settings.js'
import { launchCore, type RunningCore } from './core_launcher.js'
import { recordCore, stopStaleCore } from './stale_core.js'
import { rm } from 'node:fs/promises'

export interface DesktopCore {
  core: RunningCore
  /** Known to this process only; the window's requests get it from the main process. */
  secret: string
  layout: DataLayout
}

/**
 * Everything the desktop shell does before it opens a window: the data
 * folder, a new secret and a free loopback port for this launch, then the
 * core in role `desktop`, ready. The Electron main process calls it, and so
 * do the tests, which then play the window's part with Chromium.
 */
export async function startDesktopCore(options: {
  userDataDir: string
  runtime: RuntimePaths
  parentEnv?: NodeJS.ProcessEnv
  healthTimeoutMs?: number
}): Promise<DesktopCore> {
  const layout = dataLayout(options.userDataDir)
  await prepareDataDir(layout)
  const settings = await readShellSettings(layout.settingsFile)
  await stopStaleCore(layout.pidFile, layout.sqlitePath)
  const secret = generateSecret()
  const core = await launchCore({
    ...options.runtime,
    role: 'desktop',
    port: await freeLoopbackPort(),
    secret,
    appKey: await loadOrCreateAppKey(layout.appKeyFile),
    sqlitePath: layout.sqlitePath,
    settings,
    parentEnv: options.parentEnv,
    logFile: layout.logFile,
    healthTimeoutMs: options.healthTimeoutMs,
  })
  await recordCore(layout.pidFile, core.pid)
  void core.exited.then(() => rm(layout.pidFile, { force: true }))
  return { core, secret, layout }
}
