import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { Browser, Page } from 'playwright-core'
import { UserService } from '#services/user_service'
import {
  assertAccessible,
  assertNoStackTrace,
  launchBrowser,
  logIn,
  newPage,
  screenshot,
} from '#tests/helpers/browser'
import { OtaIcdr } from '#tests/helpers/ota_nodes'
import { familyMarkerPack } from '#tests/helpers/sample_packs'

const run = randomUUID().slice(0, 8)
const password = `Rules are data ${run}`

/**
 * A real iCDR (its own process, SQLite, a TUF repository signing what is
 * published) with a draft pack and a device waiting for enrolment; an
 * informatician works on the pack in Debian's Chromium.
 */
test.group('Rule pack authoring pages on the iCDR', (group) => {
  let icdr: OtaIcdr
  let browser: Browser
  const username = `informatician-${run}`
  const packId = `family-marker-${run}`
  /* North follows the stable channel (the default), south the pilot channel. */
  const north = `north-gw-${run}`
  const south = `south-gw-${run}`

  group.setup(async () => {
    /* Publishing releases to stable only: pilot gets versions by staged release. */
    icdr = await OtaIcdr.start({ OTA_RELEASE_CHANNELS: 'stable' })
    const users = new UserService(db.connection(icdr.connection) as any)
    await users.upsertLocal({
      username,
      fullName: 'Ines Mabote',
      password,
      roles: ['informatician'],
    })
    const draft = await icdr.api('POST', '/api/v1/rule-packs', {
      body: familyMarkerPack(packId, '1.0.0', `Marker${run}`),
    })
    if (draft.status !== 201) {
      throw new Error(`draft refused: ${JSON.stringify(draft.json)}`)
    }
    for (const name of [north, south]) {
      const device = await icdr.api('POST', '/api/v1/devices', {
        token: icdr.tokens.admin,
        body: { name, role: 'gateway', facilityIds: [`facility-${name.split('-')[0]}`] },
      })
      if (device.status !== 201) {
        throw new Error(`device refused: ${JSON.stringify(device.json)}`)
      }
    }
    const assigned = await icdr.api('PUT', '/api/v1/ota/assignments', {
      token: icdr.tokens.admin,
      body: { device: south, channel: 'pilot' },
    })
    if (assigned.status !== 200) {
      throw new Error(`assignment refused: ${JSON.stringify(assigned.json)}`)
    }
    browser = await launchBrowser()
    return async () => {
      await browser.close()
      await writeFile(app.makePath('storage/screenshots/authoring-icdr.log'), icdr.node.output())
      await icdr.stop()
    }
  })

  function logInAsInformatician(page: Page) {
    return logIn(page, {
      baseUrl: icdr.node.url,
      username,
      password,
      landsOn: /\/authoring\/packs$/,
    })
  }

  test('an informatician edits a pack, sees a schema error, fixes it, runs its tests and publishes', async ({
    assert,
  }) => {
    const story = 'authoring-publish'
    const { context, page } = await newPage(browser)
    page.on('dialog', (dialog) => dialog.accept())
    try {
      await logInAsInformatician(page)
      await assertAccessible(page, 'the list of packs')
      await screenshot(page, story, '01-packs')

      await page.getByRole('link', { name: '1.0.0' }).click()
      await page.waitForURL(new RegExp(`/authoring/packs/${packId}/1.0.0$`))
      assert.include(await page.locator('dl.facts').innerText(), 'Draft')
      await assertAccessible(page, 'a draft pack')
      await page.getByRole('link', { name: 'Edit this draft' }).click()
      await page.waitForURL(/\/edit$/)

      const editor = page.getByLabel('Pack JSON')
      const original = await editor.inputValue()
      assert.include(original, `"id": "${packId}"`)
      const broken = original.replace('"kind": "business"', '"kind": "bussiness"')
      const kindLine = broken.split('\n').findIndex((line) => line.includes('bussiness')) + 1
      await editor.fill(broken)
      const live = page.getByTestId('live-problems')
      await live.waitFor({ state: 'visible' })
      const problems = await live.innerText()
      assert.include(problems, '1 problem to fix')
      assert.include(problems, `Line ${kindLine}, column 3`)
      assert.include(problems, '/kind')
      assert.include(problems, 'must be one of: business, dq, cds')
      assert.equal(await editor.getAttribute('aria-invalid'), 'true')
      await assertAccessible(page, 'the editor with a schema error')
      await screenshot(page, story, '02-schema-error')

      /* Choosing the problem puts the cursor on it. */
      await live.getByRole('button', { name: `Line ${kindLine}, column 3` }).click()
      assert.include(
        await page.locator('[x-text="caret"]').innerText(),
        `line ${kindLine}, column 3`
      )

      /* Saved anyway, the text comes back as typed with the problem placed. */
      await page.getByRole('button', { name: 'Save draft' }).click()
      await page.waitForLoadState()
      const kept = await page.getByLabel('Pack JSON').inputValue()
      assert.equal(kept.trim(), broken.trim())
      assert.include(
        await page.getByTestId('live-problems').innerText(),
        `Line ${kindLine}, column 3`
      )
      await screenshot(page, story, '03-refused-save')

      const fixed = original.replace('"title": "', '"title": "Checked: ')
      await page.getByLabel('Pack JSON').fill(fixed)
      await page.getByText('No problem found: the pack can be saved.').waitFor()
      await screenshot(page, story, '04-fixed')
      await page.getByRole('button', { name: 'Save draft' }).click()
      await page.waitForURL(new RegExp(`/authoring/packs/${packId}/1.0.0$`))
      assert.include(
        await page.locator('main').getByRole('status').first().innerText(),
        `Draft ${packId} 1.0.0 saved`
      )
      assert.include(await page.locator('dl.facts').innerText(), 'Checked: ')

      await page.getByRole('link', { name: 'Run its tests' }).click()
      await page.waitForURL(/\/tests$/)
      assert.include(await page.locator('#test-summary').innerText(), '2 of 2 test cases passed')
      const results = await page.locator('tr[data-test-case]').allInnerTexts()
      assert.lengthOf(results, 2)
      assert.isTrue(
        results.every((row) => row.includes('Passed')),
        results.join('\n')
      )
      await assertAccessible(page, 'the test runner')
      await screenshot(page, story, '05-tests')

      await page.getByRole('link', { name: 'Publish' }).click()
      await page.waitForURL(/\/publish$/)
      const stable = page.locator('section[data-channel="stable"]')
      assert.include(await stable.innerText(), 'The whole stable channel.')
      assert.include(await stable.innerText(), '1 device of 1 will be offered 1.0.0')
      assert.include(await stable.innerText(), north)
      assert.notInclude(await stable.innerText(), south)
      assert.equal(await page.locator('section[data-channel="pilot"]').count(), 0)
      await assertAccessible(page, 'the publish confirmation')
      await screenshot(page, story, '06-publish-confirmation')

      await page.getByRole('button', { name: 'Publish 1.0.0' }).click()
      await page.waitForURL(new RegExp(`/authoring/packs/${packId}/1.0.0$`))
      const statuses = await page.locator('main').getByRole('status').allInnerTexts()
      const said = statuses.join('\n')
      assert.include(said, `${packId} 1.0.0 is published and active`)
      assert.include(said, 'released to: stable')
      assert.include(await page.locator('dl.facts').innerText(), 'Active')
      await screenshot(page, story, '07-published')

      const listed = await icdr.api('GET', '/api/v1/rule-packs')
      const versions = listed.json.find((entry: any) => entry.id === packId).versions
      assert.deepEqual(
        versions.map((each: any) => [each.version, each.status]),
        [['1.0.0', 'active']]
      )
      await assertNoStackTrace(page)
    } finally {
      await context.close()
    }
  }).timeout(180_000)

  test('a new version is compared with the published one and released to a share of a channel', async ({
    assert,
  }) => {
    const story = 'authoring-release'
    const releasedId = `${packId}-b`
    await icdr.publish(familyMarkerPack(releasedId, '1.0.0', `Marker${run}`))
    const { context, page } = await newPage(browser, { viewport: 'phone' })
    page.on('dialog', (dialog) => dialog.accept())
    try {
      await logInAsInformatician(page)
      await page.goto(`${icdr.node.url}/authoring/packs/${releasedId}/1.0.0`)
      await page.getByRole('link', { name: 'Edit as a new draft' }).click()
      const editor = page.getByLabel('Pack JSON')
      const draft = await editor.inputValue()
      assert.include(draft, '"version": "1.0.1"')
      assert.include(draft, '"status": "draft"')
      const withRule = draft.replace(
        '"tests": [',
        '"tests": [\n    { "name": "an empty patient is saved", "given": { "resource": { "resourceType": "Patient" } }, "expect": { "none": true } },'
      )
      await editor.fill(withRule)
      await page
        .getByText('No problem found: the pack can be saved.')
        .waitFor()
        .catch(async (error) => {
          throw new Error(`${error.message}\n${await page.locator('#pack-problems').innerText()}`)
        })
      await page.getByRole('button', { name: 'Save draft' }).click()
      await page.waitForURL(new RegExp(`/authoring/packs/${releasedId}/1.0.1$`))

      await page.getByRole('link', { name: 'Compare with the previous version' }).click()
      await page.waitForURL(/\/diff$/)
      const diff = await page.locator('main').innerText()
      assert.include(diff, 'Compared with 1.0.0 (Active)')
      assert.include(diff, 'an empty patient is saved')
      await assertAccessible(page, 'the diff')
      await screenshot(page, story, '01-diff')

      await page.goto(`${icdr.node.url}/authoring/packs/${releasedId}/1.0.1/publish`)
      await page.getByRole('button', { name: 'Publish 1.0.1' }).click()
      await page.waitForURL(new RegExp(`/authoring/packs/${releasedId}/1.0.1$`))

      await page.getByRole('link', { name: 'Release to a channel' }).click()
      await page.getByLabel('Channel', { exact: true }).selectOption('pilot')
      await page.getByLabel('Share of the channel').fill('20')
      await page.getByLabel('Named devices').fill(south)
      await page.getByRole('button', { name: 'Show who will get it' }).click()
      await page.waitForURL(/channel=pilot/)
      const reach = page.locator('section[data-channel="pilot"]')
      assert.include(await reach.innerText(), 'A staged rollout in pilot: 20% of its devices.')
      assert.include(await reach.innerText(), '1 device of 1 will be offered 1.0.1')
      assert.include(await reach.innerText(), south)
      assert.notInclude(await reach.innerText(), north)
      assert.equal(await page.getByLabel('Share of the channel').inputValue(), '20')
      await assertAccessible(page, 'the release preview')
      await screenshot(page, story, '02-release-preview')

      await page.getByRole('button', { name: 'Release to pilot' }).click()
      await page.waitForURL(new RegExp(`/authoring/packs/${releasedId}/1.0.1$`))
      const released = await page.locator('main').getByRole('status').allInnerTexts()
      assert.include(released.join('\n'), `${releasedId} 1.0.1 released to pilot`)
      await screenshot(page, story, '03-released')
      await assertNoStackTrace(page)
    } finally {
      await context.close()
    }
  }).timeout(180_000)
})
