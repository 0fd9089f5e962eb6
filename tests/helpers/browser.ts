import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/** The screen sizes the pages must work on: a cheap Android phone or tablet, and a desktop. */
export const VIEWPORTS = {
  phone: { width: 360, height: 640 },
  desktop: { width: 1280, height: 900 },
} as const

export type ViewportName = keyof typeof VIEWPORTS

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Debian's Chromium (`apt-get install chromium`, done by scripts/services.sh),
 * driven by playwright-core: no browser is downloaded.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  })
}

/** A fresh browser profile (its own cookies) at one viewport, speaking `locale`. */
export async function newPage(
  browser: Browser,
  options: { viewport?: ViewportName; locale?: string } = {}
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: VIEWPORTS[options.viewport ?? 'desktop'],
    locale: options.locale ?? 'en-GB',
  })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`${message.type()}: ${message.text()}`)
    }
  })
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  scriptProblems.set(page, problems)
  return { context, page }
}

const scriptProblems = new WeakMap<Page, string[]>()

/**
 * Fails on what the page's scripts reported so far: Alpine expression
 * errors, policy (CSP) violations, uncaught exceptions. Called with every
 * accessibility check, so each main page of every story is covered.
 */
export function assertNoScriptProblems(page: Page, where: string) {
  const problems = (scriptProblems.get(page) ?? []).filter(
    /* A refused form answers 4xx on purpose; the browser logs that as a failed resource. */
    (problem) =>
      !/Failed to load resource: the server responded with a status of 4\d\d/.test(problem)
  )
  if (problems.length > 0) {
    throw new Error(`Script problems on ${where}:\n${problems.join('\n')}`)
  }
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string[]; failureSummary?: string }[]
}

/**
 * Runs axe-core on the page as it is now and fails on any serious or
 * critical violation of WCAG 2.1 A/AA, naming the rule and the elements.
 * Answers every violation found, the minor ones included.
 */
export async function assertAccessible(page: Page, where: string): Promise<AxeViolation[]> {
  assertNoScriptProblems(page, where)
  const loaded = await page.evaluate(() => typeof (globalThis as any).axe !== 'undefined')
  if (!loaded) {
    /* Evaluated through the DevTools protocol: the page's own CSP forbids inline scripts, and should. */
    await page.evaluate(await readFile(app.makePath('node_modules/axe-core/axe.min.js'), 'utf8'))
  }
  const violations: AxeViolation[] = await page.evaluate(async () => {
    const browserGlobal = globalThis as any
    const result = await browserGlobal.axe.run(browserGlobal.document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    })
    return result.violations.map((violation: any) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node: any) => ({
        target: node.target,
        failureSummary: node.failureSummary,
      })),
    }))
  })
  const serious = violations.filter((violation) =>
    ['serious', 'critical'].includes(violation.impact ?? '')
  )
  if (serious.length > 0) {
    const detail = serious
      .map(
        (violation) =>
          `${violation.impact} ${violation.id}: ${violation.help}\n` +
          violation.nodes.map((node) => `    ${node.target.join(' ')}`).join('\n')
      )
      .join('\n')
    throw new Error(`Accessibility violations on ${where} (${page.url()}):\n${detail}`)
  }
  return violations
}

/** Saves the page as storage/screenshots/<story>/<step>.png, for people to look at. */
export async function screenshot(page: Page, story: string, step: string) {
  const dir = app.makePath('storage', 'screenshots', story)
  await mkdir(dir, { recursive: true })
  const path = join(dir, `${step}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** Signs of a stack trace or a framework's debug page in what the page shows. */
const STACK_TRACE = [
  /\n\s*at [\w.<>$]+ \(/,
  /at .*\.(ts|js):\d+:\d+/,
  /node_modules\//,
  /E_[A-Z_]+:/,
]
const DEBUG_PAGE = /youch/i

export async function assertNoStackTrace(page: Page) {
  const text: string = await page.evaluate(
    () => (globalThis as any).document.documentElement.innerText
  )
  const found = STACK_TRACE.find((pattern) => pattern.test(text))
  if (found || DEBUG_PAGE.test(await page.content())) {
    throw new Error(
      `The page ${page.url()} shows a stack trace (${found}):\n${text.slice(0, 2000)}`
    )
  }
}

/**
 * Logs in through a node's login page as a person would and waits for the
 * page the login leads to. Without `baseUrl`, the login form already shows.
 */
export async function logIn(
  page: Page,
  login: { baseUrl?: string; username: string; password: string; landsOn: RegExp }
) {
  if (login.baseUrl) {
    await page.goto(`${login.baseUrl}/login`)
  }
  await page.getByLabel('Username').fill(login.username)
  await page.getByLabel('Password').fill(login.password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL(login.landsOn)
}
