import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { Browser, Page } from 'playwright-core'
import { readFile, writeFile } from 'node:fs/promises'
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
import { OtaIcdr } from '#tests/helpers/ota_nodes'
import { familyMarkerPack } from '#tests/helpers/sample_packs'

const run = randomUUID().slice(0, 8)
const password = `Fleet watch ${run}`

/**
 * A real iCDR (its own process, SQLite, a TUF repository) and a gateway that
 * knows nothing of it but the enrolment code an administrator reads from the
 * devices page; the administrator works in Debian's Chromium.
 */
test.group('Administration pages on the iCDR', (group) => {
  let icdr: OtaIcdr
  let gateway: NodeProcess
  let browser: Browser
  const username = `admin-${run}`
  const deviceName = `north-gw-${run}`

  group.setup(async () => {
    icdr = await OtaIcdr.start()
    const users = new UserService(db.connection(icdr.connection) as any)
    await users.upsertLocal({
      username,
      fullName: 'Amina Otieno',
      password,
      roles: ['administrator'],
    })
    gateway = await startNode({ APP_ROLE: 'gateway', IMPORT_SHIPPED_PACKS: 'false' })
    browser = await launchBrowser()
    return async () => {
      await browser.close()
      await writeFile(app.makePath('storage/screenshots/admin-icdr.log'), icdr.node.output())
      await gateway.stop()
      await icdr.stop()
    }
  })

  /**
   * The shipped vital-signs DQ pack, published on this iCDR, finds a 45 kg weight
   * implausible for a seven-week-old child of a facility: what the dashboard counts.
   */
  async function recordImplausibleWeight() {
    const pack = JSON.parse(await readFile(app.makePath('rules/vital-signs-dq/pack.json'), 'utf8'))
    await icdr.publish({ ...pack, status: 'draft' })
    const clients = new ApiClientService(db.connection(icdr.connection) as any)
    const token = await clients.register(`dashboard-${run}`, ['fhir'])
    const born = new Date(Date.now() - 49 * 24 * 3600 * 1000).toISOString().slice(0, 10)
    const resources = [
      { resourceType: 'Organization', id: `riverside-${run}`, name: `Riverside ${run}` },
      {
        resourceType: 'Patient',
        id: `child-${run}`,
        birthDate: born,
        gender: 'female',
        name: [{ family: `Atieno${run}`, given: ['Zawadi'] }],
        managingOrganization: { reference: `Organization/riverside-${run}` },
      },
      {
        resourceType: 'Observation',
        id: `weight-${run}`,
        status: 'final',
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                code: 'vital-signs',
              },
            ],
          },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
        subject: { reference: `Patient/child-${run}` },
        effectiveDateTime: new Date().toISOString().slice(0, 10),
        valueQuantity: { value: 45, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
      },
    ]
    for (const resource of resources) {
      const response = await fetch(
        `${icdr.node.url}/fhir/${resource.resourceType}/${resource.id}`,
        {
          method: 'PUT',
          headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/fhir+json' },
          body: JSON.stringify(resource),
        }
      )
      if (response.status >= 300) {
        throw new Error(`${resource.resourceType} refused: ${await response.text()}`)
      }
    }
  }

  function logInAsAdministrator(page: Page) {
    return logIn(page, { baseUrl: icdr.node.url, username, password, landsOn: /\/admin$/ })
  }

  test('an administrator creates an enrolment code and sees the device appear', async ({
    assert,
  }) => {
    const story = 'admin-enrolment'
    const { context, page } = await newPage(browser)
    try {
      await logInAsAdministrator(page)
      await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click()
      await page.waitForURL(/\/admin\/devices$/)
      await assertAccessible(page, 'the devices page')
      await screenshot(page, story, '01-devices-empty')

      /* A name with a space is refused next to its field; what was typed stays. */
      await page.getByLabel('Device', { exact: true }).fill('north gateway')
      await page.getByLabel('Facilities').fill('facility-north')
      await page.getByRole('button', { name: 'Create device and code' }).click()
      await page.waitForURL(/\/admin\/devices$/)
      assert.isNotEmpty(await page.locator('#field-name-error').innerText())
      assert.equal(await page.getByLabel('Device', { exact: true }).inputValue(), 'north gateway')
      assert.equal(await page.getByLabel('Facilities').inputValue(), 'facility-north')
      await assertAccessible(page, 'the device form refused')
      await screenshot(page, story, '02-device-form-refused')

      await page.getByLabel('Device', { exact: true }).fill(deviceName)
      await page.getByRole('button', { name: 'Create device and code' }).click()
      await page.waitForURL(/\/admin\/devices$/)
      const shown = await page.getByTestId('enrolment-code').innerText()
      const code = shown.trim()
      assert.match(code, /^[A-Z2-9]{4}(-[A-Z2-9]{4}){7}$/)
      const row = page.locator(`tr[data-device="${deviceName}"]`)
      assert.equal(await row.getByTestId('device-status').innerText(), 'Waiting for enrolment')
      await assertAccessible(page, 'the devices page with a new code')
      await screenshot(page, story, '03-enrolment-code')

      /* The code is shown once: reloading the page does not show it again. */
      await page.reload()
      assert.equal(await page.getByTestId('enrolment-code').count(), 0)

      const enrolled = await gateway.ace(['edge:enroll', '--icdr', icdr.node.url, '--code', code])
      assert.equal(enrolled.code, 0, enrolled.output)
      const check = await gateway.ace(['ota:check'])
      assert.equal(check.code, 0, check.output)

      await page.reload()
      assert.equal(await row.getByTestId('device-status').innerText(), 'Enrolled')
      const cells = await row.locator('td').allInnerTexts()
      assert.notInclude(cells[2], 'never', 'the device was seen at its update check')
      assert.match(cells[3], /^\d+ (s|min)$/)
      await assertAccessible(page, 'the devices page with an enrolled device')
      await screenshot(page, story, '04-device-enrolled')

      await recordImplausibleWeight()
      await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).click()
      await page.waitForURL(/\/admin$/)
      const lag = page.getByRole('region', { name: 'Sync lag per device', exact: true })
      assert.include(await lag.locator('svg').innerHTML(), deviceName)
      const firings = page.getByRole('region', { name: 'Rule firings per pack', exact: true })
      assert.include(await firings.innerText(), 'vital-signs-dq (1)')
      assert.equal(await firings.locator('polyline').count(), 1)
      const issues = page.getByRole('region', {
        name: 'Open data-quality issues per facility',
        exact: true,
      })
      assert.include(await issues.locator('svg').innerHTML(), `Riverside ${run}`)
      await assertAccessible(page, 'the dashboard')
      await screenshot(page, story, '05-dashboard')

      await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click()
      await page.getByLabel('Event').selectOption('device-enrolment')
      await page.getByRole('button', { name: 'Search' }).click()
      await page.waitForURL(/event=device-enrolment/)
      assert.include(await page.locator('table').innerText(), deviceName)
      await assertAccessible(page, 'the audit log')
      await screenshot(page, story, '06-audit-enrolment')
      await assertNoStackTrace(page)
    } finally {
      await context.close()
    }
  }).timeout(180_000)

  test('an administrator manages users, pauses and reverts a rollout, and settles a conflict', async ({
    assert,
  }) => {
    const story = 'admin-fleet'
    const packId = `marker-${run}`
    await icdr.publish(familyMarkerPack(packId, '1.0.0', `Marker${run}`))
    await icdr.publish(familyMarkerPack(packId, '1.1.0', `Marker${run}`))
    const staged = await icdr.api('POST', '/api/v1/ota/channels/pilot/releases', {
      body: { packId, version: '1.1.0', percentage: 50 },
    })
    assert.equal(staged.status, 409, 'publishing released 1.1.0 to the whole pilot channel already')
    await icdr.api('POST', `/api/v1/ota/channels/stable/packs/${packId}/revert`)
    const rollout = await icdr.api('POST', '/api/v1/ota/channels/stable/releases', {
      body: { packId, version: '1.1.0', percentage: 50, devices: [deviceName] },
    })
    assert.equal(rollout.status, 201, JSON.stringify(rollout.json))

    const { context, page } = await newPage(browser, { viewport: 'phone' })
    page.on('dialog', (dialog) => dialog.accept())
    try {
      await logInAsAdministrator(page)
      await page.goto(`${icdr.node.url}/admin/users`)
      await page.getByLabel('Username').fill(`nurse-${run}`)
      await page.getByLabel('Full name').fill('Nia Wanjiru')
      await page.getByLabel('Password').fill('short')
      await page.getByLabel('Clinician').check()
      await page.getByRole('button', { name: 'Save user' }).click()
      await page.waitForURL(/\/admin\/users$/)
      assert.isNotEmpty(await page.locator('#field-password-error').innerText())
      assert.equal(await page.getByLabel('Username').inputValue(), `nurse-${run}`)
      assert.isTrue(await page.getByLabel('Clinician').isChecked())
      await assertAccessible(page, 'the users page with a refused form')
      await screenshot(page, story, '01-user-refused')

      await page.getByLabel('Password').fill(`A long enough password ${run}`)
      await page.getByRole('button', { name: 'Save user' }).click()
      await page.waitForURL(/\/admin\/users$/)
      const users = await page.locator('tbody').innerText()
      assert.include(users, `nurse-${run}`)
      assert.include(users, 'Clinician')
      await screenshot(page, story, '02-user-saved')

      await page.goto(`${icdr.node.url}/admin/rollouts`)
      const stable = page
        .locator('section[data-channel="stable"]')
        .locator(`tr[data-pack="${packId}"]`)
      assert.include(await stable.innerText(), '1.1.0 to 50% (in progress)')
      assert.include(await stable.innerText(), deviceName)
      await assertAccessible(page, 'the rollouts page')
      await screenshot(page, story, '03-rollout-in-progress')

      await stable.getByRole('button', { name: 'Pause' }).click()
      await page.waitForURL(/\/admin\/rollouts$/)
      assert.include(await stable.innerText(), '(paused)')
      await stable.getByRole('button', { name: 'Revert' }).click()
      await page.waitForURL(/\/admin\/rollouts$/)
      assert.include(
        await page
          .getByRole('status')
          .allInnerTexts()
          .then((texts) => texts.join()),
        'reverted'
      )
      assert.include(await stable.innerText(), 'none')
      await screenshot(page, story, '04-rollout-reverted')

      /* A change the device pushed on top of a newer version waits in the queue. */
      const patient = { resourceType: 'Patient', id: `twice-${run}`, gender: 'female' }
      await db
        .connection(icdr.connection)
        .table('sync_conflicts')
        .insert({
          device_name: deviceName,
          resource_type: 'Patient',
          resource_id: patient.id,
          item_key: `item-${run}`,
          base_version: 1,
          server_version: 2,
          mine: JSON.stringify({ ...patient, name: [{ family: 'Wanjiru', given: ['Nia'] }] }),
          theirs: JSON.stringify({ ...patient, name: [{ family: 'Wanjiku', given: ['Nia'] }] }),
          status: 'open',
          resolution_pending: false,
          created_at: Date.now(),
        })
      await page.goto(`${icdr.node.url}/admin/conflicts`)
      const conflict = page.locator(`section[data-conflict="Patient/${patient.id}"]`)
      assert.include(await conflict.innerText(), 'Wanjiru')
      assert.include(await conflict.innerText(), 'Wanjiku')
      await assertAccessible(page, 'the conflict queue')
      await screenshot(page, story, '05-conflict')
      await conflict.getByRole('button', { name: "Keep the iCDR's version" }).click()
      await page.waitForURL(/\/admin\/conflicts$/)
      assert.equal(await page.locator('#conflicts-empty').count(), 1)
      await page.getByRole('link', { name: 'Resolved' }).click()
      assert.include(await conflict.innerText(), "the iCDR's version was kept")
      await screenshot(page, story, '06-conflict-resolved')

      const forbidden = await page.goto(`${icdr.node.url}/authoring/packs`)
      assert.equal(forbidden?.status(), 403)
      await assertNoStackTrace(page)
    } finally {
      await context.close()
    }
  }).timeout(180_000)
})
