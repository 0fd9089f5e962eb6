import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { Browser, Page } from 'playwright-core'
import { ApiClientService } from '#services/api_client_service'
import { UserService } from '#services/user_service'
import {
  assertAccessible,
  assertNoStackTrace,
  launchBrowser,
  logIn,
  newPage,
  screenshot,
  type ViewportName,
} from '#tests/helpers/browser'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'
import { switchableProxy, type SwitchableProxy } from '#tests/helpers/switchable_proxy'

const run = randomUUID().slice(0, 8)
const password = `Clinic shift ${run}`

function daysAgo(days: number) {
  const date = new Date()
  date.setDate(date.getDate() - days)
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/**
 * A real gateway (its own process, SQLite store, the shipped rule packs)
 * whose iCDR is this test process, reached through a proxy the tests can
 * switch off; a clinician uses its pages in Debian's Chromium.
 */
test.group('Clinic pages on a gateway', (group) => {
  let gateway: NodeProcess
  let proxy: SwitchableProxy
  let browser: Browser
  const username = `nurse-${run}`

  group.setup(async () => {
    proxy = await switchableProxy({ host: '127.0.0.1', port: Number(process.env.PORT) })
    const clients = await app.container.make(ApiClientService)
    const deviceToken = await clients.register(`clinic-edge-${run}`, ['device'])
    const users = await app.container.make(UserService)
    await users.upsertLocal({ username, fullName: 'Nia Wanjiru', password, roles: ['clinician'] })
    gateway = await startNode({
      APP_ROLE: 'gateway',
      ICDR_URL: proxy.url,
      ICDR_TOKEN: deviceToken,
    })
    browser = await launchBrowser()
    return async () => {
      await browser.close()
      await writeFile(app.makePath('storage/screenshots/clinic-gateway.log'), gateway.output())
      await gateway.stop()
      await proxy.close()
    }
  })

  group.each.setup(() => proxy.online())

  function logInAsClinician(page: Page, baseUrl: string | undefined = gateway.url) {
    return logIn(page, { baseUrl, username, password, landsOn: /\/clinic\/patients/ })
  }

  async function register(
    page: Page,
    child: { family: string; given: string; birthDate: string; number: string }
  ) {
    await page.getByRole('link', { name: 'Register a patient' }).first().click()
    await page.getByLabel('Family name').fill(child.family)
    await page.getByLabel('Given name').fill(child.given)
    await page.getByLabel('Gender').selectOption('female')
    await page.getByLabel('Birth date').fill(child.birthDate)
    await page.getByLabel('Number').fill(child.number)
    await page.getByRole('button', { name: 'Register' }).click()
  }

  for (const viewport of ['phone', 'desktop'] as ViewportName[]) {
    test(`a clinician registers a child, records a vaccine and sees the next doses and a DQ warning (${viewport})`, async ({
      assert,
    }) => {
      const story = `clinic-${viewport}`
      const { context, page } = await newPage(browser, { viewport })
      try {
        await page.goto(`${gateway.url}/login`)
        await assertAccessible(page, 'the login page')
        await screenshot(page, story, '01-login')
        await logInAsClinician(page)
        assert.include(
          await page
            .getByRole('status')
            .allInnerTexts()
            .then((t) => t.join(' ')),
          'Logged in online'
        )
        const badge = await page.locator('.badge').innerText()
        assert.equal(badge.trim(), 'Online')
        await assertAccessible(page, 'the patient search')
        await screenshot(page, story, '02-patients')

        const family = `Atieno-${viewport}-${run}`
        await register(page, {
          family,
          given: 'Zawadi',
          birthDate: daysAgo(49),
          number: `RHC-${viewport}-${run}`,
        })
        await page.waitForURL(/\/clinic\/patients\/[^/]+$/)
        assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Zawadi ${family}`)
        const dueBefore = await page.locator('[data-due-status]').allInnerTexts()
        assert.isTrue(
          dueBefore.some((row) => row.includes('BCG')),
          'BCG proposed before it is given'
        )
        await assertAccessible(page, 'the new chart')
        await screenshot(page, story, '03-chart-registered')

        await page.getByRole('link', { name: 'Record a vaccine' }).click()
        await page.getByLabel('Vaccine').selectOption('19')
        await page.getByLabel('Dose number').fill('1')
        await page.getByLabel('Lot number').fill(`LOT-${run}`)
        await assertAccessible(page, 'the vaccine form')
        await screenshot(page, story, '04-vaccine-form')
        await page.getByRole('button', { name: 'Save the vaccine' }).click()
        await page.waitForURL(/\/clinic\/patients\/[^/]+$/)

        const history = page.getByRole('region', { name: 'Immunization history' })
        assert.include(await history.innerText(), 'BCG')
        const due = await page
          .getByRole('region', { name: 'Vaccines due' })
          .locator('[data-due-status]')
          .allInnerTexts()
        assert.isFalse(
          due.some((item) => item.startsWith('BCG')),
          'BCG is no longer proposed once given'
        )
        const penta = due.find((item) => item.includes('Pentavalent'))
        assert.exists(penta, due.join('\n---\n'))
        assert.include(penta, 'who-epi-immunization@1.0.0')
        assert.include(penta, 'penta-next-dose')
        assert.match(penta!, /Due\n?\s*\d{4}-\d{2}-\d{2}/)
        assert.match(penta!, /^.*\b(Due|Overdue|Upcoming)\b/m)
        await screenshot(page, story, '05-chart-next-doses')

        await page.getByRole('link', { name: 'Record vitals' }).click()
        await page.getByLabel('Weight (kg)').fill('45')
        await page.getByLabel('Height or length (cm)').fill('56')
        await assertAccessible(page, 'the vitals form')
        await page.getByRole('button', { name: 'Save vitals' }).click()
        await page.waitForURL(/\/clinic\/patients\/[^/]+$/)
        const notes = await page.locator('.alert-warning').allInnerTexts()
        assert.isTrue(
          notes.some((note) => note.includes('not possible for the patient')),
          notes.join('\n')
        )
        const issues = await page.getByTestId('dq-issues').innerText()
        assert.include(issues, 'not possible for the patient')
        assert.include(issues, 'vital-signs-dq')
        await assertAccessible(page, 'the chart with a DQ issue')
        await screenshot(page, story, '06-chart-dq-warning')
        await assertNoStackTrace(page)
      } finally {
        await context.close()
      }
    }).timeout(120_000)
  }

  test('a refused form keeps what was typed and says why next to the field', async ({ assert }) => {
    const story = 'clinic-refusals'
    const { context, page } = await newPage(browser, { viewport: 'phone' })
    try {
      await logInAsClinician(page)
      await page.getByRole('link', { name: 'Register a patient' }).first().click()
      await page.getByLabel('Family name').fill(`Kariuki-${run}`)
      await page.getByLabel('Given name').fill('Imani')
      await page.getByLabel('Birth date').fill('2999-01-01')
      await page.getByRole('button', { name: 'Register' }).click()
      await page.waitForURL(/\/clinic\/patients\/new/)
      assert.equal(await page.getByLabel('Family name').inputValue(), `Kariuki-${run}`)
      assert.equal(await page.getByLabel('Given name').inputValue(), 'Imani')
      assert.equal(await page.getByLabel('Birth date').inputValue(), '2999-01-01')
      assert.include(await page.locator('#field-gender-error').innerText(), 'gender')
      assert.include(await page.locator('#field-birthDate-error').innerText(), 'future')
      assert.equal(await page.getByLabel('Gender').getAttribute('aria-invalid'), 'true')
      await assertAccessible(page, 'the registration form with errors')
      await screenshot(page, story, '01-registration-validation')

      /* The registration business rules: no identifier is refused by the rule pack on save. */
      await page.getByLabel('Gender').selectOption('female')
      await page.getByLabel('Birth date').fill(daysAgo(30))
      await page.getByRole('button', { name: 'Register' }).click()
      await page.waitForURL(/\/clinic\/patients\/new/)
      const ruleMessage = await page.locator('#field-identifierValue-error').innerText()
      assert.include(ruleMessage, 'no complete identifier')
      assert.include(ruleMessage, 'identifier-required')
      assert.equal(await page.getByLabel('Family name').inputValue(), `Kariuki-${run}`)
      assert.equal(await page.getByLabel('Gender').inputValue(), 'female')
      await screenshot(page, story, '02-registration-rule')

      await page.getByLabel('Number').fill(`RHC-refusals-${run}`)
      await page.getByRole('button', { name: 'Register' }).click()
      await page.waitForURL(/\/clinic\/patients\/[^/]+$/)

      /* A business rule refuses a weight of 0: the height typed with it is not lost. */
      await page.getByRole('link', { name: 'Record vitals' }).click()
      await page.getByLabel('Weight (kg)').fill('0')
      await page.getByLabel('Height or length (cm)').fill('54.5')
      await page.getByRole('button', { name: 'Save vitals' }).click()
      await page.waitForURL(/\/vitals\/new/)
      assert.include(await page.locator('#field-weight-error').innerText(), 'must be more than 0')
      assert.equal(await page.getByLabel('Weight (kg)').inputValue(), '0')
      assert.equal(await page.getByLabel('Height or length (cm)').inputValue(), '54.5')
      await assertAccessible(page, 'the vitals form refused by a rule')
      await screenshot(page, story, '03-vitals-rule')
      await assertNoStackTrace(page)
    } finally {
      await context.close()
    }
  }).timeout(120_000)

  test('a patient whose birth date nobody knows is registered with an estimated year, flagged as such', async ({
    assert,
  }) => {
    const { context, page } = await newPage(browser, { viewport: 'phone' })
    try {
      await logInAsClinician(page)
      await page.getByRole('link', { name: 'Register a patient' }).first().click()
      await page.getByLabel('Family name').fill(`Otieno-${run}`)
      await page.getByLabel('Given name').fill('Akinyi')
      await page.getByLabel('Gender').selectOption('female')
      await page.getByLabel('Number').fill(`RHC-estimated-${run}`)
      await page.getByRole('button', { name: 'Register' }).click()
      await page.waitForURL(/\/clinic\/patients\/new/)
      assert.include(
        await page.locator('#field-birthDate-error').innerText(),
        'or the estimated year of birth'
      )

      await page.getByLabel('Estimated year of birth').fill('1958')
      await page.getByRole('button', { name: 'Register' }).click()
      await page.waitForURL(/\/clinic\/patients\/[^/]+$/)
      const chart = await page.locator('main').innerText()
      assert.include(chart, 'Estimated birth date')
      await assertAccessible(page, 'a chart with an estimated birth date')
      await screenshot(page, 'clinic-refusals', '04-estimated-birth-year')
    } finally {
      await context.close()
    }
  }).timeout(120_000)

  test('an alert to acknowledge stays on the chart until a clinician acknowledges it', async ({
    assert,
  }) => {
    const { context, page } = await newPage(browser, { viewport: 'phone' })
    const connection = `clinic_edge_${run}`
    db.manager.add(connection, {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: gateway.sqlitePath },
    })
    try {
      await logInAsClinician(page)
      await register(page, {
        family: `Alert-${run}`,
        given: 'Baraka',
        birthDate: daysAgo(200),
        number: `RHC-alert-${run}`,
      })
      await page.waitForURL(/\/clinic\/patients\/[^/]+$/)
      const patientId = page.url().split('/').at(-1)!
      /* What a pack's `alert` action with `acknowledge: true` stores (app/services/rules_hooks.ts). */
      await db.connection(connection).table('rule_alerts').insert({
        pack_key: 'test-alerts@1.0.0',
        rule: 'allergy-to-check',
        patient_id: patientId,
        resource_type: 'Patient',
        resource_id: patientId,
        message: 'Check the egg allergy before giving the next dose.',
        requires_ack: true,
        created_at: Date.now(),
      })
      await page.reload()
      const alert = page.getByRole('alert').filter({ hasText: 'egg allergy' })
      assert.include(await alert.innerText(), 'test-alerts@1.0.0#allergy-to-check')
      await assertAccessible(page, 'the chart with an alert')
      await screenshot(page, 'clinic-alerts', '01-alert')
      await alert.getByRole('button', { name: /Acknowledge/ }).click()
      await page.waitForURL(/\/clinic\/patients\/[^/]+$/)
      assert.equal(await page.getByRole('alert').filter({ hasText: 'egg allergy' }).count(), 0)
      const row = await db
        .connection(connection)
        .from('rule_alerts')
        .where('patient_id', patientId)
        .firstOrFail()
      assert.equal(row.acknowledged_by, username)
      await screenshot(page, 'clinic-alerts', '02-acknowledged')
    } finally {
      await context.close()
      await db.manager.close(connection)
    }
  }).timeout(60_000)

  test('no page shows a stack trace: unknown pages, unknown patients, expired forms', async ({
    assert,
  }) => {
    const story = 'clinic-errors'
    const { context, page } = await newPage(browser)
    try {
      const anonymous = await page.goto(`${gateway.url}/clinic/patients`)
      assert.match(
        page.url(),
        /\/login$/,
        'a page asked for without a login leads to the login page'
      )
      assert.equal(anonymous?.status(), 200)
      await logInAsClinician(page)
      const missing = await page.goto(`${gateway.url}/clinic/patients/no-such-${run}`)
      assert.equal(missing?.status(), 404)
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Page not found')
      await assertNoStackTrace(page)
      await assertAccessible(page, 'the 404 page')
      await screenshot(page, story, '01-unknown-patient')

      const nowhere = await page.goto(`${gateway.url}/no/such/page`)
      assert.equal(nowhere?.status(), 404)
      await assertNoStackTrace(page)

      const badDate = await page.goto(`${gateway.url}/clinic/patients?birthdate=not-a-date`)
      assert.isBelow(badDate?.status() ?? 500, 500)
      await assertNoStackTrace(page)

      /* A form sent without its CSRF token (another site, or an expired page) is refused. */
      const forged = await page.request.post(`${gateway.url}/clinic/patients`, {
        form: {
          family: 'Forged',
          gender: 'male',
          birthDate: '2020-01-01',
          identifierSystem: 'clinic-register',
          identifierValue: `FORGED-${run}`,
        },
        maxRedirects: 0,
      })
      assert.equal(forged.status(), 302)
      await page.goto(`${gateway.url}/clinic/patients?name=Forged`)
      assert.include(await page.locator('main').innerText(), 'No patient matches')
      await screenshot(page, story, '02-after-forged-post')
    } finally {
      await context.close()
    }
  }).timeout(60_000)

  test('the pages speak the browser language: French throughout', async ({ assert }) => {
    const { context, page } = await newPage(browser, { viewport: 'phone', locale: 'fr-FR' })
    try {
      await page.goto(`${gateway.url}/login`)
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Connexion')
      assert.equal(await page.locator('html').getAttribute('lang'), 'fr')
      await page.getByLabel('Nom d’utilisateur').fill(username)
      await page.getByLabel('Mot de passe').fill(password)
      await page.getByRole('button', { name: 'Se connecter' }).click()
      await page.waitForURL(/\/clinic\/patients/)
      assert.equal(await page.getByRole('button', { name: 'Rechercher' }).count(), 1)
      /* Translated messages show in French, never as a key nor in English. */
      const main = await page.locator('main').innerText()
      assert.include(main, 'Patients mis à jour récemment')
      assert.notInclude(main, 'Recently updated patients')
      await screenshot(page, 'clinic-french', '01-patients')
    } finally {
      await context.close()
    }
  }).timeout(60_000)

  test('the login says offline, and the badge too, when the iCDR cannot be reached', async ({
    assert,
  }) => {
    const { context, page } = await newPage(browser, { viewport: 'phone' })
    try {
      await logInAsClinician(page)
      await page.getByRole('button', { name: 'Log out' }).click()
      await page.waitForURL(/\/login$/)
      proxy.offline()
      await logInAsClinician(page, undefined)
      const status = await page.getByRole('status').allInnerTexts()
      assert.isTrue(
        status.some((text) => text.includes('Logged in offline')),
        status.join('\n')
      )
      await page.waitForFunction(
        () =>
          (globalThis as any).document.querySelector('.badge')?.textContent?.trim() === 'Offline',
        undefined,
        { timeout: 20_000 }
      )
      await screenshot(page, 'clinic-offline', '01-offline-login')
    } finally {
      await context.close()
    }
  }).timeout(60_000)
})
