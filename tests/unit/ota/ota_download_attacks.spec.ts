import { test } from '@japa/runner'
import { filesIn, OtaFixture } from '#tests/helpers/tuf_http'
import type { PublishedTarget } from '#ota/tuf_repository'

const pack = Buffer.from(
  JSON.stringify({ id: 'who-epi-immunization', version: '1.2.0', rules: [] })
)
const path = 'rulepacks/who-epi-immunization-1.2.0.json'

test.group('OTA downloads under attack', (group) => {
  let fixture: OtaFixture
  let published: PublishedTarget
  group.each.setup(async () => {
    fixture = await OtaFixture.create()
    published = await fixture.repository.addTarget(
      'rulepacks',
      'who-epi-immunization-1.2.0.json',
      pack
    )
    return () => fixture.cleanup()
  })

  test('a target whose bytes were changed on the mirror is refused and not installed', async ({
    assert,
  }) => {
    const { updater, targetDir } = await fixture.edge()
    const tampered = Buffer.from(pack)
    tampered[10] ^= 0xff
    fixture.server.replace(`/${published.file}`, tampered)

    const error = await updater.download(path).catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_TAMPERED')
    assert.deepEqual(await filesIn(targetDir), {})

    fixture.server.behave()
    const download = await updater.download(path)
    assert.deepEqual(download.bytes, pack)
  })

  test('a target streamed beyond its signed length is cut off and not installed', async ({
    assert,
  }) => {
    const { updater, targetDir } = await fixture.edge()
    fixture.server.endless(`/${published.file}`)

    const error = await updater.download(path).catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_TOO_LARGE')
    assert.deepEqual(await filesIn(targetDir), {})
  })

  test('a target signed as larger than the edge accepts is never fetched', async ({ assert }) => {
    const { updater, targetDir } = await fixture.edge({ maxTargetBytes: pack.length - 1 })

    const error = await updater.download(path).catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_TOO_LARGE')
    assert.notInclude(fixture.server.requests, `/${published.file}`)
    assert.deepEqual(await filesIn(targetDir), {})
  })

  test('endless timestamp metadata is cut off and the trusted metadata kept', async ({
    assert,
  }) => {
    const { updater, metadataDir } = await fixture.edge()
    await updater.refresh()
    await fixture.repository.refreshTimestamp()
    const trusted = await filesIn(metadataDir)
    fixture.server.endless('/metadata/timestamp.json')

    const error = await updater.refresh().catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_TOO_LARGE')
    assert.deepEqual(await filesIn(metadataDir), trusted)
  })

  test('a download cut half-way leaves nothing behind and the retry succeeds', async ({
    assert,
  }) => {
    const { updater, targetDir } = await fixture.edge()
    fixture.server.cut(`/${published.file}`)

    const error = await updater.download(path).catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_UNREACHABLE')
    assert.deepEqual(await filesIn(targetDir), {})

    const download = await updater.download(path)
    assert.deepEqual(download.bytes, pack)
    assert.deepEqual(Object.keys(await filesIn(targetDir)), [encodeURIComponent(path)])
  })
})
