import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateRoleKeys } from '#ota/ota_keys'
import { LocalKeySigner } from '#ota/tuf_signer'
import { OtaFixture } from '#tests/helpers/tuf_http'

const pack = Buffer.from(JSON.stringify({ id: 'who-epi-immunization', version: '1.3.0' }))

async function trustedRootVersion(metadataDir: string): Promise<number> {
  const root = JSON.parse(await readFile(join(metadataDir, 'root.json'), 'utf8'))
  return root.signed.version
}

test.group('OTA key rotation', (group) => {
  let fixture: OtaFixture
  group.each.setup(async () => {
    fixture = await OtaFixture.create()
    return () => fixture.cleanup()
  })

  test('an edge pinned to the first root follows the root chain after timestamp and targets keys change', async ({
    assert,
  }) => {
    const edge = await fixture.edge()
    await edge.updater.refresh()

    const timestampKeys = generateRoleKeys('timestamp')
    const targetsKeys = generateRoleKeys('targets')
    await fixture.repository.rotateKeys('timestamp', new LocalKeySigner(timestampKeys))
    await fixture.repository.rotateKeys('targets', new LocalKeySigner(targetsKeys))
    await fixture.repository.addTarget('rulepacks', 'pack-1.3.0.json', pack)

    await edge.updater.refresh()
    const download = await edge.updater.download('rulepacks/pack-1.3.0.json')
    assert.deepEqual(download.bytes, pack)
    assert.equal(await trustedRootVersion(edge.metadataDir), 3)
    assert.includeMembers(fixture.server.requests, [
      '/metadata/2.root.json',
      '/metadata/3.root.json',
    ])

    const fresh = await fixture.edge()
    const listed = await fresh.updater.listTargets('rulepacks/')
    assert.deepEqual(
      listed.map((target) => target.path),
      ['rulepacks/pack-1.3.0.json']
    )
  })

  test('a timestamp signed with the retired key is refused after rotation', async ({ assert }) => {
    const edge = await fixture.edge()
    await fixture.repository.rotateKeys(
      'timestamp',
      new LocalKeySigner(generateRoleKeys('timestamp'))
    )
    await edge.updater.refresh()

    const retired = fixture.repositoryWith()
    await retired.refreshTimestamp()
    const error = await edge.updater.refresh().catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_BAD_SIGNATURE')
  })

  test('a new root signed by the old and the new root keys is followed', async ({ assert }) => {
    const edge = await fixture.edge()
    const rootKeys = generateRoleKeys('root', 2)
    await fixture.repository.rotateKeys('root', new LocalKeySigner(rootKeys), 2)
    await fixture.repository.rotateKeys(
      'snapshot',
      new LocalKeySigner(generateRoleKeys('snapshot'))
    )

    await edge.updater.refresh()
    assert.equal(await trustedRootVersion(edge.metadataDir), 3)
    const root = JSON.parse(await readFile(join(edge.metadataDir, 'root.json'), 'utf8'))
    assert.equal(root.signed.roles.root.threshold, 2)
    assert.sameMembers(
      root.signed.roles.root.keyids,
      rootKeys.map((key) => key.publicKey.keyID)
    )
  })

  test('a root signed only by keys the trusted root does not list is refused', async ({
    assert,
  }) => {
    const edge = await fixture.edge()
    const usurper = fixture.repositoryWith({
      signers: fixture.signers({ root: new LocalKeySigner(generateRoleKeys('root')) }),
    })
    await usurper.resign('root')

    const error = await edge.updater.refresh().catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_BAD_SIGNATURE')
    assert.equal(await trustedRootVersion(edge.metadataDir), 1)
  })

  test('rotating the rule pack key changes targets, not root', async ({ assert }) => {
    const edge = await fixture.edge()
    await edge.updater.refresh()
    await fixture.repository.rotateKeys(
      'rulepacks',
      new LocalKeySigner(generateRoleKeys('rulepacks'))
    )
    await fixture.repository.addTarget('rulepacks', 'pack-1.3.0.json', pack)

    await edge.updater.refresh()
    const listed = await edge.updater.listTargets('rulepacks/')
    assert.lengthOf(listed, 1)
    assert.equal(await trustedRootVersion(edge.metadataDir), 1)
  })
})
