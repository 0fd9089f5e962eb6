import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { Browser } from 'playwright-core'
import { ApiClientService } from '#services/api_client_service'
import { UserService } from '#services/user_service'
import {
  assertAccessible,
  assertNoStackTrace,
  launchBrowser,
  logIn,
  newPage,
  screenshot,
} from '#tests/helpers/browser'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'

const run = randomUUID().slice(0, 8)
const password = `Portal shift ${run}`

/**
 * The portal keeps no store: its clinic pages read and write the iCDR (this
 * test process, on MariaDB) over FHIR, as the person logged in.
 */
test.group('Clinic pages on the portal', (group) => {
  let portal: NodeProcess
  let browser: Browser
  const username = `portal-nurse-${run}`

  group.setup(async () => {
    const clients = await app.container.make(ApiClientService)
    const portalToken = await clients.register(`portal-${run}`, ['device'])
    const users = await app.container.make(UserService)
    await users.upsertLocal({ username, fullName: 'Pendo Portal', password, roles: ['clinician'] })
    portal = await startNode({
      APP_ROLE: 'portal',
      ICDR_URL: `http://127.0.0.1:${process.env.PORT}`,
      ICDR_TOKEN: portalToken,
    })
    browser = await launchBrowser()
    return async () => {
      await browser.close()
      await portal.stop()
    }
  })

  test('a clinician registers a patient and records a vaccine, all stored on the iCDR', async ({
    assert,
  }) => {
    const story = 'clinic-portal'
    const { context, page } = await newPage(browser, { viewport: 'phone' })
    try {
      await logIn(page, {
        baseUrl: portal.url,
        username,
        password,
        landsOn: /\/clinic\/patients/,
      })
      const badge = await page.locator('.badge').innerText()
      assert.equal(badge.trim(), 'Online')

      const family = `Portal-${run}`
      await page.getByRole('link', { name: 'Register a patient' }).first().click()
      await page.getByLabel('Family name').fill(family)
      await page.getByLabel('Given name').fill('Neema')
      await page.getByLabel('Gender').selectOption('female')
      await page.getByLabel('Birth date').fill('2025-01-15')
      await page.getByLabel('Number').fill(`PORTAL-${run}`)
      await page.getByRole('button', { name: 'Register' }).click()
      await page.waitForURL(/\/clinic\/patients\/[^/]+$/)
      const patientId = page.url().split('/').at(-1)!

      await page.getByRole('link', { name: 'Record a vaccine' }).click()
      await page.getByLabel('Vaccine').selectOption('04')
      await page.getByRole('button', { name: 'Save the vaccine' }).click()
      await page.waitForURL(/\/clinic\/patients\/[^/]+$/)
      const history = await page.getByRole('region', { name: 'Immunization history' }).innerText()
      assert.include(history, 'M/R')
      await assertAccessible(page, 'the portal chart')
      await assertNoStackTrace(page)
      await screenshot(page, story, '01-chart')

      /* Stored on the iCDR, written by the person logged in on the portal. */
      const patient = await fetchFromIcdr(`/fhir/Patient/${patientId}`)
      assert.equal(patient.name[0].family, family)
      const immunizations = await fetchFromIcdr(`/fhir/Immunization?patient=Patient/${patientId}`)
      assert.equal(immunizations.total ?? immunizations.entry.length, 1)

      /* An alert the iCDR's packs stored for the patient is acknowledged from the portal, at the iCDR. */
      await db.table('rule_alerts').insert({
        pack_key: 'test-alerts@1.0.0',
        rule: 'allergy-to-check',
        patient_id: patientId,
        resource_type: 'Patient',
        resource_id: patientId,
        message: 'Check the latex allergy before the next dose.',
        requires_ack: true,
        created_at: Date.now(),
      })
      await page.reload()
      const alert = page.getByRole('alert').filter({ hasText: 'latex allergy' })
      await alert.getByRole('button', { name: /Acknowledge/ }).click()
      await page.waitForURL(/\/clinic\/patients\/[^/]+$/)
      assert.equal(await page.getByRole('alert').filter({ hasText: 'latex allergy' }).count(), 0)
      const acknowledged = await db.from('rule_alerts').where('patient_id', patientId).firstOrFail()
      assert.equal(acknowledged.acknowledged_by, username, 'the iCDR knows who acknowledged it')

      await page.goto(`${portal.url}/clinic/patients?name=${encodeURIComponent(family)}`)
      assert.include(await page.locator('main').innerText(), `Neema ${family}`)
      await screenshot(page, story, '02-search')
    } finally {
      await context.close()
    }
  }).timeout(120_000)

  async function fetchFromIcdr(path: string) {
    const clients = await app.container.make(ApiClientService)
    const token = await clients.register(`portal-check-${randomUUID().slice(0, 8)}`, ['fhir'])
    const response = await fetch(`http://127.0.0.1:${process.env.PORT}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
    })
    return (await response.json()) as any
  }
})
