import { createHash, randomUUID } from 'node:crypto'
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { test } from '@japa/runner'
import { Metadata, Snapshot, TargetFile, Targets, Timestamp, MetaFile } from '@tufjs/models'
import { canonicalJson } from '#ota/canonical_json'
import { generateRoleKeys, loadKeySet, type RoleKey } from '#ota/ota_keys'
import { TufRepository } from '#ota/tuf_repository'
import { LocalKeySigner } from '#ota/tuf_signer'
import { filesIn, TufHttpServer } from '#tests/helpers/tuf_http'
import { OtaIcdr, refusingPack, type OtaEdge } from '#tests/helpers/ota_nodes'

const run = randomUUID().slice(0, 8)
const id = `guarded-${run}`
const family = `Guarded${run}`
const DAY = 24 * 60 * 60 * 1000

function inDays(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Signs `signed` with `keys` and writes it into a repository copy, as an attacker holding them could. */
async function plant(
  dir: string,
  fileName: string,
  signed: Snapshot | Timestamp | Targets,
  keys: RoleKey[]
) {
  const metadata = new Metadata(signed)
  const payload = Buffer.from(canonicalJson(signed.toJSON()))
  for (const signature of await new LocalKeySigner(keys).sign(payload)) {
    metadata.signatures[signature.keyID] = signature
  }
  const bytes = Buffer.from(JSON.stringify(metadata.toJSON()))
  await writeFile(join(dir, 'metadata', fileName), bytes)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  return new MetaFile({ version: signed.version, length: bytes.length, hashes: { sha256 } })
}

test.group('Over-the-air updates under attack', (group) => {
  let icdr: OtaIcdr
  let mirror: TufHttpServer
  let edge: OtaEdge
  /** The repository as it was before the tests: what a replaying mirror serves. */
  let older: string

  /** Checks the edge; what it runs after, and the error the iCDR's fleet view shows. */
  async function attacked() {
    const check = await edge.check()
    const device = await icdr.device(edge.name)
    return {
      code: check.code,
      output: check.output,
      active: await edge.active(),
      error: device.lastError?.code,
    }
  }

  /** A copy of the repository as it is now, served by the mirror instead of the real one. */
  async function copyServed() {
    const copy = await mkdtemp(join(icdr.dir, 'mirror-'))
    await cp(icdr.otaDir, copy, { recursive: true })
    return copy
  }

  group.setup(async () => {
    icdr = await OtaIcdr.start()
    mirror = await TufHttpServer.start(icdr.otaDir)
    edge = await icdr.startEdge('mirrored-gateway', {
      OTA_METADATA_URL: `${mirror.url}/metadata`,
      OTA_TARGETS_URL: `${mirror.url}/targets`,
      OTA_TRUSTED_ROOT: join(icdr.otaDir, 'metadata', '1.root.json'),
    })
    older = await copyServed()
    await icdr.publish(refusingPack(id, '1.0.0', family))
    const first = await edge.check()
    if (first.code !== 0) {
      throw new Error(`the first update failed:\n${first.output}`)
    }
    return async () => {
      await mirror.close()
      await icdr.stop()
    }
  })

  group.each.teardown(() => {
    mirror.behave()
    mirror.root = icdr.otaDir
  })

  test('a target whose bytes were changed on the mirror is refused, and so is one without end', async ({
    assert,
  }) => {
    await icdr.publish(refusingPack(id, '1.1.0', family))
    const path = await icdr.targetUrlPath(id, '1.1.0')
    const tampered = await readFile(join(icdr.otaDir, path))
    tampered[20] ^= 0xff
    mirror.replace(path, tampered)

    const changed = await attacked()
    assert.equal(changed.code, 1)
    assert.deepEqual(changed.active, [`${id}@1.0.0`])
    assert.equal(changed.error, 'E_OTA_TAMPERED')

    mirror.endless(path)
    const endless = await attacked()
    assert.deepEqual(endless.active, [`${id}@1.0.0`])
    assert.equal(endless.error, 'E_OTA_TOO_LARGE')

    mirror.behave()
    const honest = await attacked()
    assert.equal(honest.code, 0, honest.output)
    assert.deepEqual(honest.active, [`${id}@1.1.0`])
    assert.isUndefined(honest.error)
  })

  test('a download cut half-way leaves nothing behind and the next check installs it', async ({
    assert,
  }) => {
    await icdr.publish(refusingPack(id, '1.2.0', family))
    mirror.cut(await icdr.targetUrlPath(id, '1.2.0'))

    const cut = await attacked()
    assert.equal(cut.code, 1)
    assert.deepEqual(cut.active, [`${id}@1.1.0`])
    assert.equal(cut.error, 'E_OTA_UNREACHABLE')
    const targets = await filesIn(join(dirname(edge.node.sqlitePath), 'store-ota', 'targets'))
    assert.notInclude(Object.keys(targets).join(' '), '1.2.0')

    const retried = await attacked()
    assert.equal(retried.code, 0, retried.output)
    assert.deepEqual(retried.active, [`${id}@1.2.0`])
  })

  test('an older repository replayed by the mirror is a rollback and changes nothing', async ({
    assert,
  }) => {
    await icdr.publish(refusingPack(id, '1.3.0', family))
    mirror.root = older

    const replayed = await attacked()
    assert.equal(replayed.code, 1)
    assert.deepEqual(replayed.active, [`${id}@1.2.0`])
    assert.equal(replayed.error, 'E_OTA_ROLLBACK')
  })

  test('a timestamp that has expired (a freeze) changes nothing', async ({ assert }) => {
    const frozen = await copyServed()
    const keys = await loadKeySet(icdr.keysDir)
    const twoDaysAgo = new Date(Date.now() - 2 * DAY)
    await new TufRepository({
      dir: frozen,
      signers: { timestamp: new LocalKeySigner(keys.timestamp!) },
      clock: () => twoDaysAgo,
    }).refreshTimestamp()
    mirror.root = frozen

    const stale = await attacked()
    assert.equal(stale.code, 1)
    assert.deepEqual(stale.active, [`${id}@1.2.0`])
    assert.equal(stale.error, 'E_OTA_EXPIRED')
  })

  test('a timestamp signed by a key root does not list changes nothing', async ({ assert }) => {
    const forged = await copyServed()
    await new TufRepository({
      dir: forged,
      signers: { timestamp: new LocalKeySigner(generateRoleKeys('timestamp')) },
    }).refreshTimestamp()
    mirror.root = forged

    const result = await attacked()
    assert.equal(result.code, 1)
    assert.deepEqual(result.active, [`${id}@1.2.0`])
    assert.equal(result.error, 'E_OTA_BAD_SIGNATURE')
  })

  test('after the timestamp and targets keys are rotated the edge updates without a new root pinned', async ({
    assert,
  }) => {
    for (const role of ['timestamp', 'targets']) {
      const rotated = await icdr.node.ace(['ota:rotate-key', role])
      assert.equal(rotated.code, 0, rotated.output)
    }
    await icdr.publish(refusingPack(id, '1.4.0', family))

    const result = await attacked()
    assert.equal(result.code, 0, result.output)
    assert.deepEqual(result.active, [`${id}@1.4.0`])
    const trusted = join(dirname(edge.node.sqlitePath), 'store-ota', 'metadata', 'root.json')
    const root = JSON.parse(await readFile(trusted, 'utf8'))
    assert.equal(root.signed.version, 3)
  })

  test('a rule pack signed by the app role instead of rulepacks is refused', async ({ assert }) => {
    const smuggling = await copyServed()
    const state = await new TufRepository({ dir: smuggling, signers: {} }).files.readState()
    const keys = await loadKeySet(icdr.keysDir)
    const bytes = Buffer.from(
      JSON.stringify({ ...refusingPack(id, '1.5.0', 'Anyone'), status: 'active' })
    )
    const smuggled = new TargetFile({
      path: `rulepacks/${id}-1.5.0.json`,
      length: bytes.length,
      hashes: { sha256: createHash('sha256').update(bytes).digest('hex') },
    })
    const app = state.delegated.app.signed
    const appMeta = await plant(
      smuggling,
      `${app.version + 1}.app.json`,
      new Targets({
        version: app.version + 1,
        specVersion: '1.0.31',
        expires: inDays(90),
        targets: { ...app.targets, [smuggled.path]: smuggled },
      }),
      keys.app!
    )
    const snapshotVersion = state.snapshot.signed.version + 1
    const snapshotMeta = await plant(
      smuggling,
      `${snapshotVersion}.snapshot.json`,
      new Snapshot({
        version: snapshotVersion,
        specVersion: '1.0.31',
        expires: inDays(7),
        meta: { ...state.snapshot.signed.meta, 'app.json': appMeta },
      }),
      keys.snapshot!
    )
    await plant(
      smuggling,
      'timestamp.json',
      new Timestamp({
        version: state.timestamp.signed.version + 1,
        specVersion: '1.0.31',
        expires: inDays(1),
        snapshotMeta,
      }),
      keys.timestamp!
    )
    await icdr.publish(refusingPack(id, '1.5.0', family))
    mirror.root = smuggling

    const result = await attacked()
    assert.equal(result.code, 1)
    assert.deepEqual(result.active, [`${id}@1.4.0`])
    assert.equal(result.error, 'E_OTA_NOT_DELEGATED')
  })
})
