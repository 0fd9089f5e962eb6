/*
|--------------------------------------------------------------------------
| Electron main process of the Outpost desktop app
|--------------------------------------------------------------------------
|
| Wires the display-free modules beside it into Electron: start the core,
| lock one sandboxed window to the core's origin, add the secret to that
| origin's requests only, stop the core on quit. README.md beside
| package.json goes through the Electron security checklist.
|
*/

import { app, BrowserWindow, session, type Session, type WebContents } from 'electron'
import { dataLayout, runtimePaths } from './app_paths.js'
import { startProblemPage } from './content_policy.js'
import { headersWithPolicy } from './content_policy.js'
import { startDesktopCore, type DesktopCore } from './desktop_core.js'
import {
  headersWithSecret,
  mayNavigate,
  mayRequest,
  requestFilter,
  windowOpenDecision,
} from './origin_guard.js'
import { quitAfterCoreStops } from './quit_guard.js'

/** Every renderer sandboxed, whatever a window asks for. */
app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  /* One core per data folder: a second launch only brings the first window forward. */
  app.quit()
} else {
  void run()
}

async function run() {
  let desktop: DesktopCore | undefined
  let window: BrowserWindow | undefined
  app.on('second-instance', () => (window?.isMinimized() ? window.restore() : window?.focus()))
  app.on('web-contents-created', (_event, contents) => lockContents(contents, () => desktop))
  app.on('window-all-closed', () => app.quit())
  app.on(
    'before-quit',
    quitAfterCoreStops({ stopCore: async () => desktop?.core.stop(), quit: () => app.quit() })
  )

  await app.whenReady()
  /* An in-memory session: no cookie, cache or storage of the clinic UI is left on disk. */
  const browsing = session.fromPartition('outpost-window', { cache: false })
  denyPermissions(browsing)
  window = new BrowserWindow({
    width: 1280,
    height: 860,
    show: false,
    title: 'Outpost',
    autoHideMenuBar: true,
    webPreferences: {
      session: browsing,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  })
  window.once('ready-to-show', () => window?.show())

  const layoutDir = app.getPath('userData')
  try {
    desktop = await startDesktopCore({
      userDataDir: layoutDir,
      runtime: runtimePaths({
        packaged: app.isPackaged,
        resourcesPath: process.resourcesPath,
        appPath: app.getAppPath(),
        platform: process.platform,
      }),
    })
  } catch (error) {
    await showProblem(window, 'Outpost could not start its local service.', error, layoutDir)
    return
  }

  guardRequests(browsing, desktop)
  const started = desktop
  void started.core.exited.then(async (code) => {
    if (!window?.isDestroyed() && code !== null && code !== 0) {
      const problem = `Outpost's local service stopped (exit code ${code}).`
      await showProblem(window!, problem, { output: started.core.output() }, layoutDir)
    }
  })
  await window.loadURL(`${desktop.core.origin}/`)
}

/** The secret on the core's requests only; every other request cancelled; the shell's CSP on the core's pages. */
function guardRequests(browsing: Session, desktop: DesktopCore) {
  const origin = desktop.core.origin
  browsing.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) =>
    callback({ cancel: !mayRequest(details.url, origin) })
  )
  browsing.webRequest.onBeforeSendHeaders(requestFilter(origin), (details, callback) =>
    callback({
      requestHeaders: headersWithSecret(
        details.url,
        origin,
        desktop.secret,
        details.requestHeaders
      ) as Record<string, string>,
    })
  )
  browsing.webRequest.onHeadersReceived(requestFilter(origin), (details, callback) =>
    callback({
      responseHeaders: headersWithPolicy(
        details.url,
        origin,
        details.responseHeaders ?? {}
      ) as Record<string, string[]>,
    })
  )
}

function denyPermissions(browsing: Session) {
  browsing.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  browsing.setPermissionCheckHandler(() => false)
}

/** Applies to every web contents Electron creates, so no window or frame escapes the lock. */
function lockContents(contents: WebContents, current: () => DesktopCore | undefined) {
  const allowed = (url: string) => {
    const desktop = current()
    return desktop !== undefined && mayNavigate(url, desktop.core.origin)
  }
  contents.on('will-navigate', (event, url) => {
    if (!allowed(url)) {
      event.preventDefault()
    }
  })
  contents.on('will-redirect', (event, url) => {
    if (!allowed(url)) {
      event.preventDefault()
    }
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => windowOpenDecision())
}

async function showProblem(
  window: BrowserWindow,
  summary: string,
  error: { message?: string; output?: string },
  dataDir: string
) {
  const details = [error.message, error.output].filter(Boolean).join('\n\n').slice(-8000)
  await window.loadURL(startProblemPage({ summary, details, logFile: dataLayout(dataDir).logFile }))
  window.show()
}
