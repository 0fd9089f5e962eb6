import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { Browser, Page } from 'playwright-core'
import { ApiClientService } from '#services/api_client_service'
import { FhirStore } from '#services/fhir_store'
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
const password = `Sync shift ${run}`

function patient(id: string, family: string) {
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ system: 'urn:outpost:test:mrn', value: id }],
    name: [{ family, given: ['Amani'] }],
    gender: 'female',
    birthDate: '2024-02-01',
  }
}

/**
 * A clinician on a gateway whose iCDR is this test process: syncing from the
 * sync centre, then settling a conflict between a change made here and one
 * made on the iCDR, by looking at both versions side by side.
 */
test.group('The sync centre of a gateway', (group) => {
  let gateway: NodeProcess
  let browser: Browser
  let fhirToken: string
  const connection = `sync_centre_${run}`
  const username = `clerk-${run}`
  const patientId = `sync-centre-${run}`

  group.setup(async () => {
    const clients = await app.container.make(ApiClientService)
    const deviceToken = await clients.register(`sync-centre-edge-${run}`, ['device'])
    const users = await app.container.make(UserService)
    await users.upsertLocal({ username, fullName: 'Baraka Otieno', password, roles: ['clinician'] })
    gateway = await startNode({
      APP_ROLE: 'gateway',
      ICDR_URL: `http://127.0.0.1:${process.env.PORT}`,
      ICDR_TOKEN: deviceToken,
    })
    db.manager.add(connection, {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: gateway.sqlitePath },
    })
    fhirToken = await new ApiClientService(db.connection(connection) as any).register('tests', [
      'fhir',
    ])
    browser = await launchBrowser()
    return async () => {
      await browser.close()
      await db.manager.close(connection)
      await gateway.stop()
    }
  })

  async function writeOnIcdr(resource: Record<string, any>) {
    const store = await app.container.make(FhirStore)
    await db.connection('mysql').transaction((trx) =>
      store.write(trx, {
        type: resource.resourceType,
        id: resource.id,
        method: 'update',
        resource: resource as any,
        preserved: resource,
      })
    )
  }

  async function syncNow(page: Page) {
    await page.getByRole('button', { name: 'Sync now' }).click()
    await page.waitForURL(/\/sync-centre/)
    /* The page follows the sync and reloads when it ends. */
    await page
      .locator('[x-data^="syncProgress"] [role="status"]')
      .waitFor({ state: 'hidden', timeout: 60_000 })
    await page.waitForLoadState('networkidle')
    await page.reload()
  }

  test('a clinician syncs, sees a conflict side by side and keeps the version made here', async ({
    assert,
  }) => {
    await writeOnIcdr(patient(patientId, 'Original'))
    const { context, page } = await newPage(browser, { viewport: 'desktop' })
    page.on('dialog', (dialog) => dialog.accept())
    try {
      await logIn(page, {
        baseUrl: gateway.url,
        username,
        password,
        landsOn: /\/clinic\/patients/,
      })
      await page.getByRole('link', { name: 'Sync' }).first().click()
      await page.waitForURL(/\/sync-centre/)
      await assertAccessible(page, 'the sync centre')
      await screenshot(page, 'sync-centre', '01-before')

      await syncNow(page)
      assert.notInclude(await page.locator('dl.facts').innerText(), 'never')
      const pulled = await db
        .connection(connection)
        .from('fhir_resources')
        .where('id', patientId)
        .first()
      assert.include(pulled.content, 'Original')

      const edited = await fetch(`${gateway.url}/fhir/Patient/${patientId}`, {
        method: 'PUT',
        headers: {
          'authorization': `Bearer ${fhirToken}`,
          'content-type': 'application/fhir+json',
        },
        body: JSON.stringify(patient(patientId, 'Mine')),
      })
      assert.equal(edited.status, 200)
      await writeOnIcdr(patient(patientId, 'Theirs'))
      assert.equal(await page.reload().then(() => page.getByTestId('pending').innerText()), '1')

      await syncNow(page)
      const conflict = page.getByRole('article').filter({ hasText: `Patient/${patientId}` })
      await conflict.waitFor()
      assert.include(await conflict.innerText(), 'They differ in: name')
      assert.include(await conflict.locator('pre').first().innerText(), 'Mine')
      assert.include(await conflict.locator('pre').nth(1).innerText(), 'Theirs')
      await assertAccessible(page, 'a conflict shown side by side')
      await screenshot(page, 'sync-centre', '02-conflict')

      await conflict.getByRole('button', { name: 'Keep mine' }).click()
      await page.waitForURL(/\/sync-centre/)
      assert.include(
        await page
          .getByRole('status')
          .allInnerTexts()
          .then((t) => t.join(' ')),
        'Your version'
      )
      await syncNow(page)
      assert.include(await page.locator('#sync-conflicts-heading').innerText(), 'Conflicts')
      await screenshot(page, 'sync-centre', '03-resolved')
      await assertNoStackTrace(page)

      const versions = await db
        .connection('mysql')
        .from('fhir_resource_versions')
        .where({ resource_type: 'Patient', id: patientId })
        .orderBy('version_id')
      assert.deepEqual(
        versions.map((row) => Number(row.version_id)),
        [1, 2, 3]
      )
      assert.include(versions[2].content, 'Mine')
    } finally {
      await context.close()
    }
  })

  test('the sync centre works on a phone', async ({ assert }) => {
    const { context, page } = await newPage(browser, { viewport: 'phone' })
    try {
      await logIn(page, {
        baseUrl: gateway.url,
        username,
        password,
        landsOn: /\/clinic\/patients/,
      })
      await page.goto(`${gateway.url}/sync-centre`)
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sync centre')
      await assertAccessible(page, 'the sync centre on a phone')
      await screenshot(page, 'sync-centre', '04-phone')
    } finally {
      await context.close()
    }
  })
})
