import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

/** Where one user's Outpost keeps its data, under the user's application-data folder. */
export interface DataLayout {
  dir: string
  /** The dCDR store; the OTA client keeps its state beside it (`desktop-ota/`). */
  sqlitePath: string
  logsDir: string
  /** The core's output of the current launch. */
  logFile: string
  /** The key that signs the core's cookies, made at first launch and kept. */
  appKeyFile: string
  /** Optional settings an administrator puts there (see `shell_settings.ts`). */
  settingsFile: string
  /** The pid of the running core, to stop one a killed shell left behind (`stale_core.ts`). */
  pidFile: string
}

/**
 * The layout inside Electron's `userData` folder (`%APPDATA%\Outpost` on
 * Windows, `~/.config/Outpost` on Linux): nothing is written beside the
 * program, which may be read-only.
 */
export function dataLayout(userDataDir: string): DataLayout {
  const dir = resolve(userDataDir)
  const logsDir = join(dir, 'logs')
  return {
    dir,
    sqlitePath: join(dir, 'desktop.sqlite'),
    logsDir,
    logFile: join(logsDir, 'core.log'),
    appKeyFile: join(dir, 'app-key'),
    settingsFile: join(dir, 'settings.json'),
    pidFile: join(dir, 'core.pid'),
  }
}

/** Creates the folders, readable by this user only where the OS honours modes. */
export async function prepareDataDir(layout: DataLayout): Promise<void> {
  await mkdir(layout.dir, { recursive: true, mode: 0o700 })
  await mkdir(layout.logsDir, { recursive: true, mode: 0o700 })
}

/**
 * The core's APP_KEY: made once per user and kept (mode 0600), so sessions
 * and encrypted values stay readable from one launch to the next. Unlike the
 * shell secret it does not grant access to the core.
 */
export async function loadOrCreateAppKey(file: string): Promise<string> {
  try {
    const text = await readFile(file, 'utf8')
    const key = text.trim()
    if (key.length >= 32) {
      return key
    }
  } catch (error) {
    if (error.code !== 'ENOENT') {
      throw error
    }
  }
  const key = randomBytes(32).toString('base64url')
  await writeFile(file, `${key}\n`, { mode: 0o600 })
  return key
}

/** What runs the core: the Node 24 binary and the folder of the Outpost sources. */
export interface RuntimePaths {
  nodePath: string
  coreRoot: string
}

/**
 * Packaged, electron-builder puts the Node runtime and the core under the
 * app's resources folder (see electron-builder.yml `extraResources`). From
 * a checkout (`npm start` in edge/desktop), the core is the checkout itself
 * and Node 24 is the root devDependency `node`.
 */
export function runtimePaths(options: {
  packaged: boolean
  resourcesPath: string
  appPath: string
  platform: NodeJS.Platform
}): RuntimePaths {
  const executable = options.platform === 'win32' ? 'node.exe' : 'node'
  if (options.packaged) {
    return {
      nodePath: join(options.resourcesPath, 'node', executable),
      coreRoot: join(options.resourcesPath, 'core'),
    }
  }
  const coreRoot = resolve(options.appPath, '..', '..')
  return { nodePath: join(coreRoot, 'node_modules', 'node', 'bin', executable), coreRoot }
}
