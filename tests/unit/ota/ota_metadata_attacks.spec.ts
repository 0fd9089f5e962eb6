import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  Metadata,
  MetaFile,
  Snapshot,
  TargetFile,
  Targets,
  Timestamp,
  type Root,
} from '@tufjs/models'
import { canonicalJson } from '#ota/canonical_json'
import { generateRoleKeys, type RoleKey } from '#ota/ota_keys'
import { LocalKeySigner } from '#ota/tuf_signer'
import { filesIn, OtaFixture } from '#tests/helpers/tuf_http'

const DAY = 24 * 60 * 60 * 1000

function pack(version: string) {
  return Buffer.from(JSON.stringify({ id: 'who-epi-immunization', version, rules: [] }))
}

function inDays(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** What snapshot or timestamp record about a metadata file already in the repository. */
async function metaOf(fixture: OtaFixture, fileName: string, version: number) {
  const bytes = await readFile(join(fixture.repositoryDir, 'metadata', fileName))
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  return new MetaFile({ version, length: bytes.length, hashes: { sha256 } })
}

/** Signs `signed` with `keys` and writes it into the served repository, as an attacker could. */
async function plant(
  fixture: OtaFixture,
  fileName: string,
  signed: Root | Timestamp | Snapshot | Targets,
  keys: RoleKey[]
) {
  const metadata = new Metadata(signed)
  const payload = Buffer.from(canonicalJson(signed.toJSON()))
  for (const signature of await new LocalKeySigner(keys).sign(payload)) {
    metadata.signatures[signature.keyID] = signature
  }
  await writeFile(
    join(fixture.repositoryDir, 'metadata', fileName),
    JSON.stringify(metadata.toJSON())
  )
  return metaOf(fixture, fileName, signed.version)
}

/**
 * The code of a refused call, and the edge files it changed: none, or only metadata that
 * verified before a later step failed (TUF keeps a verified timestamp).
 */
async function refusal(
  edge: { metadataDir: string; targetDir: string },
  call: () => Promise<unknown>
) {
  const files = async () => ({
    ...(await filesIn(edge.metadataDir)),
    ...prefixed('targets/', await filesIn(edge.targetDir)),
  })
  const before = await files()
  const error = await call().then(
    () => ({ code: 'accepted' }),
    (caught) => caught
  )
  const after = await files()
  const names = new Set([...Object.keys(before), ...Object.keys(after)])
  const changed = [...names].filter((name) => before[name] !== after[name]).sort()
  return { code: error.code as string, changed }
}

function prefixed(prefix: string, files: Record<string, string>) {
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [prefix + name, bytes]))
}

test.group('OTA metadata under attack', (group) => {
  let fixture: OtaFixture
  group.each.setup(async () => {
    fixture = await OtaFixture.create()
    return () => fixture.cleanup()
  })

  test('a timestamp signed by a key root does not list is refused', async ({ assert }) => {
    const edge = await fixture.edge()
    await edge.updater.refresh()
    const attacker = new LocalKeySigner(generateRoleKeys('timestamp'))
    await fixture
      .repositoryWith({ signers: fixture.signers({ timestamp: attacker }) })
      .refreshTimestamp()

    const result = await refusal(edge, () => edge.updater.refresh())
    assert.deepEqual(result, { code: 'E_OTA_BAD_SIGNATURE', changed: [] })
  })

  test('a rule pack signed by a key the delegation does not list is refused', async ({
    assert,
  }) => {
    const edge = await fixture.edge()
    await edge.updater.listTargets('rulepacks/')
    const attacker = new LocalKeySigner(generateRoleKeys('rulepacks'))
    await fixture
      .repositoryWith({ signers: fixture.signers({ rulepacks: attacker }) })
      .addTarget('rulepacks', 'evil.json', pack('6.6.6'))
    await edge.updater.refresh()

    const listing = await refusal(edge, () => edge.updater.listTargets('rulepacks/'))
    assert.deepEqual(listing, { code: 'E_OTA_BAD_SIGNATURE', changed: [] })
    const download = await refusal(edge, () => edge.updater.download('rulepacks/evil.json'))
    assert.deepEqual(download, { code: 'E_OTA_BAD_SIGNATURE', changed: [] })
  })

  test('a replay of an older repository is a rollback', async ({ assert }) => {
    await fixture.repository.addTarget('rulepacks', 'pack-1.0.0.json', pack('1.0.0'))
    const older = await fixture.copyRepository()
    await fixture.repository.addTarget('rulepacks', 'pack-1.1.0.json', pack('1.1.0'))
    const edge = await fixture.edge()
    assert.lengthOf(await edge.updater.listTargets('rulepacks/'), 2)

    fixture.server.root = older
    const result = await refusal(edge, () => edge.updater.refresh())
    assert.deepEqual(result, { code: 'E_OTA_ROLLBACK', changed: [] })
  })

  test('an older snapshot behind a new timestamp is a rollback', async ({ assert }) => {
    await fixture.repository.addTarget('rulepacks', 'pack-1.0.0.json', pack('1.0.0'))
    await fixture.repository.addTarget('rulepacks', 'pack-1.1.0.json', pack('1.1.0'))
    const edge = await fixture.edge()
    await edge.updater.refresh()

    const state = await fixture.repository.files.readState()
    const timestamp = new Timestamp({
      version: state.timestamp.signed.version + 1,
      specVersion: '1.0.31',
      expires: inDays(1),
      snapshotMeta: await metaOf(fixture, '2.snapshot.json', 2),
    })
    await plant(fixture, 'timestamp.json', timestamp, fixture.keys.timestamp)

    const result = await refusal(edge, () => edge.updater.refresh())
    assert.deepEqual(result, { code: 'E_OTA_ROLLBACK', changed: [] })
  })

  test('older rule pack metadata in a new snapshot is a rollback', async ({ assert }) => {
    await fixture.repository.addTarget('rulepacks', 'pack-1.0.0.json', pack('1.0.0'))
    await fixture.repository.addTarget('rulepacks', 'pack-1.1.0.json', pack('1.1.0'))
    const edge = await fixture.edge()
    await edge.updater.listTargets('rulepacks/')

    const state = await fixture.repository.files.readState()
    const version = state.snapshot.signed.version + 1
    const snapshot = new Snapshot({
      version,
      specVersion: '1.0.31',
      expires: inDays(7),
      meta: {
        ...state.snapshot.signed.meta,
        'rulepacks.json': await metaOf(fixture, '2.rulepacks.json', 2),
      },
    })
    const snapshotMeta = await plant(
      fixture,
      `${version}.snapshot.json`,
      snapshot,
      fixture.keys.snapshot
    )
    const timestamp = new Timestamp({
      version: state.timestamp.signed.version + 1,
      specVersion: '1.0.31',
      expires: inDays(1),
      snapshotMeta,
    })
    await plant(fixture, 'timestamp.json', timestamp, fixture.keys.timestamp)

    const result = await refusal(edge, () => edge.updater.refresh())
    assert.deepEqual(result, { code: 'E_OTA_ROLLBACK', changed: ['timestamp.json'] })
  })

  test('metadata that expired before it reached the edge is a freeze', async ({ assert }) => {
    const twoDaysAgo = new Date(Date.now() - 2 * DAY)
    await fixture.repositoryWith({ clock: () => twoDaysAgo }).refreshTimestamp()
    const edge = await fixture.edge()

    const result = await refusal(edge, () => edge.updater.refresh())
    assert.deepEqual(result, { code: 'E_OTA_EXPIRED', changed: [] })
  })

  test('a mirror that stops serving fresh timestamps freezes the edge', async ({ assert }) => {
    const expires = await fixture.repositoryWith({ expiries: { timestamp: 2 } }).refreshTimestamp()
    const edge = await fixture.edge()
    await edge.updater.refresh()

    await new Promise((resolve) => setTimeout(resolve, expires.getTime() - Date.now() + 200))
    const result = await refusal(edge, () => edge.updater.refresh())
    assert.deepEqual(result, { code: 'E_OTA_EXPIRED', changed: [] })
  }).timeout(8_000)

  test('rule pack metadata from an older snapshot served with a newer one is refused', async ({
    assert,
  }) => {
    await fixture.repository.addTarget('rulepacks', 'pack-1.0.0.json', pack('1.0.0'))
    await fixture.repository.addTarget('rulepacks', 'pack-1.1.0.json', pack('1.1.0'))
    const metadata = join(fixture.repositoryDir, 'metadata')
    fixture.server.replace(
      '/metadata/3.rulepacks.json',
      await readFile(join(metadata, '2.rulepacks.json'))
    )
    const edge = await fixture.edge()
    await edge.updater.refresh()

    const result = await refusal(edge, () => edge.updater.listTargets('rulepacks/'))
    assert.deepEqual(result, { code: 'E_OTA_TAMPERED', changed: [] })
  })

  test('an older snapshot served under the name of the newer one is refused', async ({
    assert,
  }) => {
    await fixture.repository.addTarget('rulepacks', 'pack-1.0.0.json', pack('1.0.0'))
    await fixture.repository.addTarget('rulepacks', 'pack-1.1.0.json', pack('1.1.0'))
    const metadata = join(fixture.repositoryDir, 'metadata')
    fixture.server.replace(
      '/metadata/3.snapshot.json',
      await readFile(join(metadata, '2.snapshot.json'))
    )
    const edge = await fixture.edge()

    const result = await refusal(edge, () => edge.updater.refresh())
    assert.deepEqual(result, { code: 'E_OTA_TAMPERED', changed: ['timestamp.json'] })
  })

  test('a rule pack signed by the app role is not found and cannot be downloaded', async ({
    assert,
  }) => {
    await fixture.repository.addTarget('app', 'outpost-edge-1.4.0.tar.gz', Buffer.from('bundle'))
    const state = await fixture.repository.files.readState()
    const bytes = pack('6.6.6')
    const app = state.delegated.app.signed
    const smuggled = new TargetFile({
      path: 'rulepacks/x.json',
      length: bytes.length,
      hashes: { sha256: createHash('sha256').update(bytes).digest('hex') },
    })
    const appVersion = app.version + 1
    const appMeta = await plant(
      fixture,
      `${appVersion}.app.json`,
      new Targets({
        version: appVersion,
        specVersion: '1.0.31',
        expires: inDays(90),
        targets: { ...app.targets, [smuggled.path]: smuggled },
      }),
      fixture.keys.app
    )
    const snapshotVersion = state.snapshot.signed.version + 1
    const snapshotMeta = await plant(
      fixture,
      `${snapshotVersion}.snapshot.json`,
      new Snapshot({
        version: snapshotVersion,
        specVersion: '1.0.31',
        expires: inDays(7),
        meta: { ...state.snapshot.signed.meta, 'app.json': appMeta },
      }),
      fixture.keys.snapshot
    )
    await plant(
      fixture,
      'timestamp.json',
      new Timestamp({
        version: state.timestamp.signed.version + 1,
        specVersion: '1.0.31',
        expires: inDays(1),
        snapshotMeta,
      }),
      fixture.keys.timestamp
    )
    const edge = await fixture.edge()

    assert.deepEqual(await edge.updater.listTargets('rulepacks/'), [])
    const everything = await edge.updater.listTargets()
    assert.deepEqual(
      everything.map((target) => target.path),
      ['app/outpost-edge-1.4.0.tar.gz']
    )
    const result = await refusal(edge, () => edge.updater.download('rulepacks/x.json'))
    assert.deepEqual(result, { code: 'E_OTA_NOT_DELEGATED', changed: [] })
  })
})
