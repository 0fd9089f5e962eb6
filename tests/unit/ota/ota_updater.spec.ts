import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OtaError } from '#ota/ota_error'
import { OtaUpdater } from '#ota/tuf_updater'
import { filesIn, OtaFixture } from '#tests/helpers/tuf_http'

const pack = Buffer.from(
  JSON.stringify({ id: 'who-epi-immunization', version: '1.2.0', rules: [] })
)
const packCustom = { packId: 'who-epi-immunization', version: '1.2.0', channel: 'stable' }

test.group('OTA updates on an edge', (group) => {
  let fixture: OtaFixture
  group.each.setup(async () => {
    fixture = await OtaFixture.create()
    return () => fixture.cleanup()
  })

  test('a published rule pack is listed with its custom data and downloaded', async ({
    assert,
  }) => {
    const published = await fixture.repository.addTarget(
      'rulepacks',
      'who-epi-immunization-1.2.0.json',
      pack,
      packCustom
    )
    const { updater, targetDir } = await fixture.edge()

    await updater.refresh()
    const listed = await updater.listTargets('rulepacks/')
    assert.deepEqual(listed, [
      {
        path: 'rulepacks/who-epi-immunization-1.2.0.json',
        length: pack.length,
        sha256: published.sha256,
        custom: packCustom,
      },
    ])

    const download = await updater.download('rulepacks/who-epi-immunization-1.2.0.json')
    assert.deepEqual(download.bytes, pack)
    assert.deepEqual(download.target.custom, packCustom)
    assert.deepEqual(await readFile(download.file), pack)
    assert.deepEqual(Object.keys(await filesIn(targetDir)), [
      encodeURIComponent('rulepacks/who-epi-immunization-1.2.0.json'),
    ])
  })

  test('the mirror serves targets under their hash, as consistent snapshots require', async ({
    assert,
  }) => {
    const published = await fixture.repository.addTarget('rulepacks', 'pack.json', pack)
    const { updater } = await fixture.edge()
    await updater.download('rulepacks/pack.json')
    assert.include(fixture.server.requests, `/${published.file}`)
    assert.include(fixture.server.requests, '/metadata/2.snapshot.json')
  })

  test('a second download is served from the verified copy without the network', async ({
    assert,
  }) => {
    await fixture.repository.addTarget('rulepacks', 'pack.json', pack)
    const { updater } = await fixture.edge()
    await updater.download('rulepacks/pack.json')
    const requests = fixture.server.requests.length

    const again = await updater.download('rulepacks/pack.json')
    assert.deepEqual(again.bytes, pack)
    assert.equal(fixture.server.requests.length, requests)
  })

  test('edge bundles are listed under app/ and rule packs under rulepacks/', async ({ assert }) => {
    await fixture.repository.addTarget('rulepacks', 'pack.json', pack)
    await fixture.repository.addTarget('app', 'outpost-edge-1.4.0.tar.gz', Buffer.from('tarball'), {
      version: '1.4.0',
    })
    const { updater } = await fixture.edge()

    const packs = await updater.listTargets('rulepacks/')
    const bundles = await updater.listTargets('app/')
    const all = await updater.listTargets()
    assert.deepEqual(
      packs.map((target) => target.path),
      ['rulepacks/pack.json']
    )
    assert.deepEqual(
      bundles.map((target) => target.path),
      ['app/outpost-edge-1.4.0.tar.gz']
    )
    assert.lengthOf(all, 2)
  })

  test('a removed target is no longer listed after the next refresh', async ({ assert }) => {
    await fixture.repository.addTarget('rulepacks', 'old.json', pack)
    await fixture.repository.addTarget('rulepacks', 'new.json', pack)
    const { updater } = await fixture.edge()
    assert.lengthOf(await updater.listTargets('rulepacks/'), 2)

    await fixture.repository.removeTarget('rulepacks', 'old.json')
    await updater.refresh()
    const listed = await updater.listTargets('rulepacks/')
    assert.deepEqual(
      listed.map((target) => target.path),
      ['rulepacks/new.json']
    )
  })

  test('an unknown target is not found', async ({ assert }) => {
    const { updater } = await fixture.edge()
    await assert.rejects(() => updater.download('rulepacks/missing.json'), OtaError)
    const error = await updater.download('rulepacks/missing.json').catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_NOT_FOUND')
    assert.equal(error.status, 404)
  })

  test('an edge without a pinned root refuses to start', async ({ assert }) => {
    const updater = new OtaUpdater({
      metadataDir: join(fixture.dir, 'nowhere'),
      targetDir: join(fixture.dir, 'nowhere-targets'),
      metadataBaseUrl: `${fixture.server.url}/metadata`,
      targetBaseUrl: `${fixture.server.url}/targets`,
    })
    const error = await updater.refresh().catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_NO_TRUSTED_ROOT')
  })

  test('pinning a root never replaces the root an edge already trusts', async ({ assert }) => {
    const { metadataDir } = await fixture.edge()
    const pinned = await readFile(join(metadataDir, 'root.json'))
    assert.isFalse(await OtaUpdater.pinRoot(metadataDir, Buffer.from('{}')))
    assert.deepEqual(await readFile(join(metadataDir, 'root.json')), pinned)
  })

  test('an unreachable repository is reported as such', async ({ assert }) => {
    const { updater } = await fixture.edge()
    await fixture.server.close()
    const error = await updater.refresh().catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_UNREACHABLE')
  })

  test('a repository that never answers times out', async ({ assert }) => {
    const { updater } = await fixture.edge({ fetchTimeoutMs: 300 })
    fixture.server.stall('/metadata/timestamp.json')
    const error = await updater.refresh().catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_UNREACHABLE')
  })
})
