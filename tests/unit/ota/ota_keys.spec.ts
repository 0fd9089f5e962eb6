import { test } from '@japa/runner'
import { createHash, verify } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canonicalJson } from '#ota/canonical_json'
import {
  fromKeyFile,
  generateRoleKeys,
  loadKeySet,
  loadRoleKeys,
  saveRoleKeys,
  toKeyFile,
} from '#ota/ota_keys'
import { LocalKeySigner } from '#ota/tuf_signer'

test.group('OTA signing keys', (group) => {
  let dir: string
  group.each.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outpost-keys-'))
    return () => rm(dir, { recursive: true, force: true })
  })

  test('canonical JSON sorts keys and escapes only quotes and backslashes', ({ assert }) => {
    assert.equal(
      canonicalJson({ b: [1, true, null], a: 'say "hi" \\ é\n' }),
      '{"a":"say \\"hi\\" \\\\ é\n","b":[1,true,null]}'
    )
    assert.throws(() => canonicalJson({ ratio: 0.5 }))
  })

  test('a key id is the sha256 of the canonical public key', ({ assert }) => {
    const [key] = generateRoleKeys('timestamp')
    const publicHex = key.publicKey.keyVal.public
    const canonical = `{"keytype":"ed25519","keyval":{"public":"${publicHex}"},"scheme":"ed25519"}`

    assert.match(publicHex, /^[0-9a-f]{64}$/)
    assert.equal(key.publicKey.keyID, createHash('sha256').update(canonical).digest('hex'))
  })

  test('a signer signs with every key of its role', async ({ assert }) => {
    const keys = generateRoleKeys('root', 2)
    const payload = Buffer.from('{"_type":"root"}')
    const signatures = await new LocalKeySigner(keys).sign(payload)

    assert.deepEqual(
      signatures.map((signature) => signature.keyID),
      keys.map((key) => key.publicKey.keyID)
    )
    keys.forEach((key, index) => {
      const signature = Buffer.from(signatures[index].sig, 'hex')
      assert.isTrue(verify(null, payload, key.privateKey, signature))
    })
  })

  test('keys saved as <role>-<n>.json load back with the same ids', async ({ assert }) => {
    const timestamp = generateRoleKeys('timestamp', 2)
    const root = generateRoleKeys('root')
    const written = await saveRoleKeys(dir, [...timestamp, ...root])

    assert.deepEqual(
      written.map((path) => path.slice(dir.length + 1)),
      ['timestamp-1.json', 'timestamp-2.json', 'root-1.json']
    )
    const mode = await stat(join(dir, 'root-1.json'))
    assert.equal(mode.mode & 0o777, 0o600)
    const keySet = await loadKeySet(dir)
    assert.deepEqual(
      keySet.timestamp?.map((key) => key.publicKey.keyID),
      timestamp.map((key) => key.publicKey.keyID)
    )
    assert.deepEqual(Object.keys(keySet).sort(), ['root', 'timestamp'])
  })

  test('saving more keys numbers on and never overwrites', async ({ assert }) => {
    await saveRoleKeys(dir, generateRoleKeys('snapshot'))
    const original = await readFile(join(dir, 'snapshot-1.json'), 'utf8')
    const written = await saveRoleKeys(dir, generateRoleKeys('snapshot'))

    assert.deepEqual(written, [join(dir, 'snapshot-2.json')])
    assert.equal(await readFile(join(dir, 'snapshot-1.json'), 'utf8'), original)
    assert.lengthOf(await loadRoleKeys(dir, 'snapshot'), 2)
  })

  test('a key file whose public half does not match its private key is refused', async ({
    assert,
  }) => {
    const [key] = generateRoleKeys('targets')
    const [other] = generateRoleKeys('targets')
    const forged = {
      ...toKeyFile(key),
      keyid: other.publicKey.keyID,
      keyval: other.publicKey.keyVal,
    }

    assert.throws(() => fromKeyFile(forged), /does not match/)
    await writeFile(join(dir, 'targets-1.json'), JSON.stringify(forged))
    await assert.rejects(() => loadKeySet(dir), /does not match/)
  })

  test('an empty or missing key directory holds no keys', async ({ assert }) => {
    assert.deepEqual(await loadKeySet(join(dir, 'missing')), {})
    assert.deepEqual(await loadRoleKeys(dir, 'app'), [])
  })
})
