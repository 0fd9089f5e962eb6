import { test } from '@japa/runner'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startDesktopCore, type DesktopCore } from '#shells/desktop_core'
import { headersWithSecret, mayRequest, type Headers } from '#shells/origin_guard'
import {
  CORE_CONTENT_SECURITY_POLICY,
  headersWithPolicy,
  startProblemPage,
} from '#shells/content_policy'
import { quitAfterCoreStops } from '#shells/quit_guard'
import { CoreStartError } from '#shells/core_launcher'

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The Node 24 runtime and the checkout: what `npm start` in edge/desktop runs. */
const runtime = () => ({ nodePath: process.execPath, coreRoot: app.makePath() })

async function dataFolder(settings: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), 'outpost-desktop-'))
  await writeFile(join(dir, 'settings.json'), JSON.stringify(settings))
  return dir
}

/**
 * A Chromium page whose requests are handled the way the Electron main
 * process handles its window's (edge/desktop/src/main.ts), at the same
 * level: Chromium's request interception (DevTools protocol `Fetch`, which
 * also sees redirected requests, as Electron's webRequest does). Requests
 * off the core's origin are failed, the core's get the secret, its
 * responses the shell's CSP. `guard: false` keeps only the header injection,
 * to show that it alone never gives the secret to another origin.
 */
async function shellWindow(
  browser: Browser,
  desktop: DesktopCore,
  options: { guard: boolean } = { guard: true }
): Promise<{ context: BrowserContext; page: Page; blocked: string[] }> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  const origin = desktop.core.origin
  /* Requests refused so far; a request still paused when the page closes would go on. */
  const blocked: string[] = []
  cdp.on('Fetch.requestPaused', async (event) => {
    const url = event.request.url
    const requestId = event.requestId
    try {
      if (event.responseStatusCode !== undefined) {
        return await withPolicy(event)
      }
      if (options.guard && !mayRequest(url, origin)) {
        /* 204: the request ends here and a navigation does not happen, as will-navigate does. */
        blocked.push(url)
        return await cdp.send('Fetch.fulfillRequest', {
          requestId,
          responseCode: 204,
          responseHeaders: [],
        })
      }
      const headers = headersWithSecret(url, origin, desktop.secret, event.request.headers)
      await cdp.send('Fetch.continueRequest', { requestId, headers: toEntries(headers) })
    } catch {
      /* the page closed while a request was paused */
    }
  })
  /*
   * The DevTools protocol only enforces changed response headers on a
   * fulfilled response, so the body is passed on as it came; a redirect
   * goes on unchanged and its next request is paused like any other.
   */
  async function withPolicy(event: PausedResponse) {
    const status = event.responseStatusCode!
    if (status >= 300 && status < 400) {
      return cdp.send('Fetch.continueRequest', { requestId: event.requestId })
    }
    const { body, base64Encoded } = await cdp.send('Fetch.getResponseBody', {
      requestId: event.requestId,
    })
    const headers = headersWithPolicy(
      event.request.url,
      origin,
      fromEntries(event.responseHeaders ?? [])
    )
    return cdp.send('Fetch.fulfillRequest', {
      requestId: event.requestId,
      responseCode: status,
      responseHeaders: toEntries(headers),
      body: base64Encoded ? body : Buffer.from(body).toString('base64'),
    })
  }
  await cdp.send('Fetch.enable', {
    patterns: [
      { urlPattern: '*', requestStage: 'Request' },
      { urlPattern: `${origin}/*`, requestStage: 'Response' },
    ],
  })
  return { context, page, blocked }
}

interface PausedResponse {
  requestId: string
  request: { url: string }
  responseStatusCode?: number
  responseHeaders?: { name: string; value: string }[]
}

function fromEntries(entries: { name: string; value: string }[]): Headers {
  const headers: Record<string, string[]> = {}
  for (const { name, value } of entries) {
    ;(headers[name] ??= []).push(value)
  }
  return headers
}

function toEntries(headers: Headers) {
  return Object.entries(headers).flatMap(([name, value]) =>
    [value].flat().map((one) => ({ name, value: one }))
  )
}

/** A server on another loopback origin that records every request it gets. */
async function spyServer() {
  const seen: { url?: string; headers: IncomingHttpHeaders }[] = []
  const server: Server = createServer((request, response) => {
    seen.push({ url: request.url, headers: request.headers })
    response.writeHead(200, { 'content-type': 'text/html' })
    response.end('<!doctype html><title>elsewhere</title><p>elsewhere</p>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

test.group('Desktop app: only the shell window may use the core', (group) => {
  let desktop: DesktopCore
  let browser: Browser

  group.setup(async () => {
    const userDataDir = await dataFolder({ IMPORT_SHIPPED_PACKS: false, LOG_LEVEL: 'warn' })
    desktop = await startDesktopCore({
      userDataDir,
      runtime: runtime(),
      parentEnv: { PATH: process.env.PATH },
      healthTimeoutMs: 60_000,
    })
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    return async () => {
      await browser.close()
      await desktop.core.stop()
    }
  })

  test('the core runs in role desktop on the loopback interface, its data in the data folder', async ({
    assert,
  }) => {
    assert.match(desktop.core.origin, /^http:\/\/127\.0\.0\.1:\d+$/)
    const health = await fetch(`${desktop.core.origin}/health`, {
      headers: { 'SDB-Magic': desktop.secret },
    })
    assert.equal(health.status, 200)
    const report = await health.json()
    assert.include(report, { status: 'ok', role: 'desktop' })
    const store = await stat(desktop.layout.sqlitePath)
    assert.isTrue(store.isFile())
    const key = await stat(desktop.layout.appKeyFile)
    assert.equal(key.mode & 0o777, 0o600)
  })

  test('a request without the secret, or with a wrong one, is refused', async ({ assert }) => {
    for (const path of ['/', '/login', '/health', '/no-such-page']) {
      const bare = await fetch(`${desktop.core.origin}${path}`)
      assert.equal(bare.status, 403, path)
      const refusal = (await bare.json()) as { error: { code: string } }
      assert.equal(refusal.error.code, 'E_SHELL_SECRET')
      const wrong = await fetch(`${desktop.core.origin}${path}`, {
        headers: { 'SDB-Magic': `${desktop.secret}x` },
      })
      assert.equal(wrong.status, 403, path)
    }

    const context = await browser.newContext()
    const page = await context.newPage()
    const response = await page.goto(`${desktop.core.origin}/login`)
    assert.equal(response?.status(), 403)
    await context.close()
  })

  test('in the shell window the login page works under the shell content policy', async ({
    assert,
  }) => {
    const { context, page } = await shellWindow(browser, desktop)
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) {
        violations.push(message.text())
      }
    })
    const response = await page.goto(`${desktop.core.origin}/login`)
    assert.equal(response?.status(), 200)
    assert.include(response?.headers()['content-security-policy'], CORE_CONTENT_SECURITY_POLICY)
    assert.equal(await page.locator('input[type="password"]').count(), 1)

    const home = await page.goto(`${desktop.core.origin}/`)
    assert.equal(home?.status(), 200)
    assert.match(page.url(), /\/login/)
    assert.deepEqual(violations, [])

    /* A form post, its session and CSRF cookies and the redirect back all pass through the shell. */
    await page.goto(`${desktop.core.origin}/login`)
    await page.locator('input[name="username"]').fill('amina')
    await page.locator('input[type="password"]').fill('not her password')
    await page.locator('button[type="submit"]').click()
    const messages = JSON.parse(
      await readFile(app.makePath('resources/lang/en/common.json'), 'utf8')
    )
    const refusal = page.getByText(messages.login.errors.E_LOGIN_OFFLINE_UNKNOWN)
    await refusal.waitFor({ timeout: 10_000 })
    assert.match(page.url(), /\/login$/)
    assert.equal(await page.locator('input[name="username"]').inputValue(), 'amina')
    assert.deepEqual(violations, [])

    const injected = await page.evaluate(`(() => {
      const script = document.createElement('script')
      script.textContent = 'window.injected = true'
      document.head.append(script)
      return window.injected === true
    })()`)
    assert.isFalse(injected, 'an injected inline script does not run')
    assert.isNotEmpty(violations)
    await context.close()
  })

  test('another origin never receives the secret', async ({ assert }) => {
    const spy = await spyServer()
    const sameHostOtherName = desktop.core.origin.replace('127.0.0.1', 'localhost')
    try {
      const { context, page } = await shellWindow(browser, desktop, { guard: false })
      const elsewhere = await page.goto(`${spy.url}/`)
      assert.equal(elsewhere?.status(), 200)
      const localhost = await page.goto(`${sameHostOtherName}/health`)
      assert.equal(localhost?.status(), 403, 'localhost is another origin: no secret is added')
      await context.close()

      assert.includeMembers(
        spy.seen.map((request) => request.url),
        ['/']
      )
      for (const request of spy.seen) {
        assert.notProperty(request.headers, 'sdb-magic', request.url)
      }
      assert.notInclude(JSON.stringify(spy.seen), desktop.secret)
    } finally {
      await spy.close()
    }
  })

  test('the shell window cannot reach or move to another origin at all', async ({ assert }) => {
    const spy = await spyServer()
    try {
      const { context, page, blocked } = await shellWindow(browser, desktop)
      await page.goto(`${desktop.core.origin}/login`)
      const fetched = await page.evaluate(
        (url) =>
          fetch(url).then(
            () => 'reached',
            () => 'blocked'
          ),
        `${spy.url}/steal`
      )
      assert.equal(fetched, 'blocked', "refused by the shell's CSP (connect-src 'self')")
      await page.evaluate(`location.href = ${JSON.stringify(`${spy.url}/away`)}`)
      while (!blocked.includes(`${spy.url}/away`)) {
        await page.waitForTimeout(50)
      }
      await page.waitForTimeout(300)
      assert.equal(page.url(), `${desktop.core.origin}/login`)
      assert.deepEqual(spy.seen, [])
      /* Closing the page first cancels its navigation, which the protocol would otherwise release. */
      await page.close()
      await context.close()
    } finally {
      await spy.close()
    }
  })

  test('quitting the shell stops the core before the app exits', async ({ assert }) => {
    let quits = 0
    let prevented = 0
    const quit = new Promise<void>((resolve) => {
      const beforeQuit = quitAfterCoreStops({
        stopCore: () => desktop.core.stop(),
        quit: () => {
          quits++
          resolve()
        },
      })
      beforeQuit({ preventDefault: () => prevented++ })
      beforeQuit({ preventDefault: () => prevented++ })
    })
    await quit
    assert.equal(quits, 1)
    assert.equal(prevented, 2)
    assert.equal(await desktop.core.exited, 0)
    const after = await fetch(`${desktop.core.origin}/health`).catch((error) => error)
    assert.instanceOf(after, TypeError, 'nothing answers on the port any more')
  })
})

test.group('Desktop app: a core that cannot start', () => {
  test('the window shows why, with the log file to send', async ({ assert }) => {
    const userDataDir = await dataFolder({ ICDR_URL: 'not a url' })
    const error = await startDesktopCore({
      userDataDir,
      runtime: runtime(),
      parentEnv: { PATH: process.env.PATH },
      healthTimeoutMs: 60_000,
    }).catch((caught) => caught)
    assert.instanceOf(error, CoreStartError)
    assert.include(error.output, 'Outpost cannot start')
    assert.include(error.output, 'ICDR_URL')

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    })
    try {
      const page = await browser.newPage()
      await page.goto(
        startProblemPage({
          summary: 'Outpost could not start its local service.',
          details: `${error.message}\n\n${error.output}`,
          logFile: join(userDataDir, 'logs', 'core.log'),
        })
      )
      const text = await page.locator('body').innerText()
      assert.include(text, 'Outpost could not start')
      assert.include(text, 'ICDR_URL')
      assert.include(text, join(userDataDir, 'logs', 'core.log'))
      assert.equal(await page.locator('script').count(), 0)
    } finally {
      await browser.close()
    }
  })
})
