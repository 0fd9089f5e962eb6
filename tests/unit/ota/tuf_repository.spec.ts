import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Metadata, MetadataKind } from '@tufjs/models'
import { generateRoleKeys } from '#ota/ota_keys'
import { TufRepository } from '#ota/tuf_repository'
import { LocalKeySigner } from '#ota/tuf_signer'
import { OtaFixture } from '#tests/helpers/tuf_http'

const pack = Buffer.from(JSON.stringify({ id: 'who-epi-immunization', version: '1.2.0' }))

async function metadataFiles(fixture: OtaFixture): Promise<string[]> {
  const files = await readdir(join(fixture.repositoryDir, 'metadata'))
  return files.sort()
}

async function readJson(fixture: OtaFixture, file: string) {
  return JSON.parse(await readFile(join(fixture.repositoryDir, file), 'utf8'))
}

test.group('TUF repository on the iCDR', (group) => {
  let fixture: OtaFixture
  group.each.setup(async () => {
    fixture = await OtaFixture.create()
    return () => fixture.cleanup()
  })

  test('init writes version 1 of every role with consistent snapshots', async ({ assert }) => {
    assert.deepEqual(await metadataFiles(fixture), [
      '1.app.json',
      '1.root.json',
      '1.rulepacks.json',
      '1.snapshot.json',
      '1.targets.json',
      'timestamp.json',
    ])
    const root = await readJson(fixture, 'metadata/1.root.json')
    assert.isTrue(root.signed.consistent_snapshot)
    assert.equal(root.signed.roles.timestamp.keyids[0], fixture.keys.timestamp[0].publicKey.keyID)

    const targets = await readJson(fixture, 'metadata/1.targets.json')
    const delegated = targets.signed.delegations.roles.map(
      (role: { name: string; paths: string[]; terminating: boolean }) => [
        role.name,
        role.paths,
        role.terminating,
      ]
    )
    assert.deepEqual(delegated, [
      ['rulepacks', ['rulepacks/*'], true],
      ['app', ['app/*'], true],
    ])
  })

  test('every role is signed by the keys its delegator lists', async ({ assert }) => {
    await fixture.repository.addTarget('rulepacks', 'pack.json', pack)
    const state = await fixture.repository.files.readState()
    const root = Metadata.fromJSON(
      MetadataKind.Root,
      await readJson(fixture, 'metadata/1.root.json')
    )

    assert.doesNotThrow(() => root.verifyDelegate('root', root))
    assert.doesNotThrow(() => root.verifyDelegate('timestamp', state.timestamp))
    assert.doesNotThrow(() => root.verifyDelegate('snapshot', state.snapshot))
    assert.doesNotThrow(() => root.verifyDelegate('targets', state.targets))
    assert.doesNotThrow(() => state.targets.verifyDelegate('rulepacks', state.delegated.rulepacks))
    assert.throws(() => state.targets.verifyDelegate('app', state.delegated.rulepacks))
  })

  test('adding a rule pack writes its file by hash and signs rulepacks, snapshot and timestamp', async ({
    assert,
  }) => {
    const published = await fixture.repository.addTarget(
      'rulepacks',
      'who-epi-immunization-1.2.0.json',
      pack,
      {
        packId: 'who-epi-immunization',
        version: '1.2.0',
        channel: 'stable',
      }
    )
    const sha256 = createHash('sha256').update(pack).digest('hex')
    assert.equal(published.file, `targets/rulepacks/${sha256}.who-epi-immunization-1.2.0.json`)
    assert.deepEqual(await readFile(join(fixture.repositoryDir, published.file)), pack)

    const files = await metadataFiles(fixture)
    assert.includeMembers(files, ['2.rulepacks.json', '2.snapshot.json'])
    assert.notInclude(files, '2.targets.json')
    const rulepacks = await readJson(fixture, 'metadata/2.rulepacks.json')
    assert.deepEqual(rulepacks.signed.targets['rulepacks/who-epi-immunization-1.2.0.json'], {
      length: pack.length,
      hashes: { sha256 },
      custom: { packId: 'who-epi-immunization', version: '1.2.0', channel: 'stable' },
    })
    const timestamp = await readJson(fixture, 'metadata/timestamp.json')
    assert.equal(timestamp.signed.version, 2)
    assert.equal(timestamp.signed.meta['snapshot.json'].version, 2)
  })

  test('a target outside the role or with a path in its name is refused', async ({ assert }) => {
    for (const name of ['../app/x.tar.gz', 'nested/pack.json', '.hidden.json', '']) {
      const error = await fixture.repository
        .addTarget('rulepacks', name, pack)
        .catch((caught) => caught)
      assert.equal(error.code, 'E_OTA_INVALID_TARGET', name)
    }
  })

  test('refreshing the timestamp signs only a new timestamp and returns its expiry', async ({
    assert,
  }) => {
    const before = await metadataFiles(fixture)
    const expires = await fixture.repository.refreshTimestamp()

    assert.deepEqual(await metadataFiles(fixture), before)
    const timestamp = await readJson(fixture, 'metadata/timestamp.json')
    assert.equal(timestamp.signed.version, 2)
    assert.equal(new Date(timestamp.signed.expires).getTime(), expires.getTime())
    assert.closeTo(expires.getTime() - Date.now(), 24 * 60 * 60 * 1000, 5_000)
  })

  test('a process holding only the timestamp key can refresh it but not publish', async ({
    assert,
  }) => {
    const online = new TufRepository({
      dir: fixture.repositoryDir,
      signers: { timestamp: new LocalKeySigner(fixture.keys.timestamp) },
    })
    await online.refreshTimestamp()
    const error = await online.addTarget('rulepacks', 'pack.json', pack).catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_SIGNER_MISSING')
  })

  test('thresholds are recorded and must be reachable with the keys given', async ({ assert }) => {
    const keys = generateRoleKeys('targets', 2)
    const repository = new TufRepository({
      dir: join(fixture.dir, 'second'),
      signers: fixture.signers({ targets: new LocalKeySigner(keys) }),
    })
    await repository.init({ thresholds: { targets: 2 } })
    const trustedRoot = await repository.trustedRoot()
    const root = JSON.parse(trustedRoot.toString())
    assert.equal(root.signed.roles.targets.threshold, 2)

    const tooHigh = new TufRepository({
      dir: join(fixture.dir, 'third'),
      signers: fixture.signers(),
    })
    const error = await tooHigh.init({ thresholds: { root: 2 } }).catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_INVALID_THRESHOLD')
  })

  test('a repository is initialised once', async ({ assert }) => {
    const error = await fixture
      .repositoryWith()
      .init()
      .catch((caught) => caught)
    assert.equal(error.code, 'E_OTA_REPOSITORY_STATE')
  })

  test('rotating the targets key signs a new root listing it', async ({ assert }) => {
    const keys = generateRoleKeys('targets')
    await fixture.repository.rotateKeys('targets', new LocalKeySigner(keys))

    const root = await readJson(fixture, 'metadata/2.root.json')
    assert.deepEqual(root.signed.roles.targets.keyids, [keys[0].publicKey.keyID])
    assert.notProperty(root.signed.keys, fixture.keys.targets[0].publicKey.keyID)
    const targets = await readJson(fixture, 'metadata/2.targets.json')
    assert.deepEqual(
      targets.signatures.map((signature: { keyid: string }) => signature.keyid),
      [keys[0].publicKey.keyID]
    )
  })
})
