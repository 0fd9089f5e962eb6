import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { OtaUpdater } from '#ota/tuf_updater'
import { OtaRepositoryService } from '#services/ota_repository_service'
import { TufHttpServer } from '#tests/helpers/tuf_http'

/** Edge software bundles: signed by the `app` role on the iCDR, verified by an edge. */
test.group('OTA: edge software bundles', (group) => {
  let repository: OtaRepositoryService
  let server: TufHttpServer
  let dir: string

  group.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outpost-app-bundle-'))
    repository = new OtaRepositoryService({
      repositoryDir: join(dir, 'repository'),
      keysDir: join(dir, 'keys'),
      timestampExpirySeconds: 86_400,
    })
    await repository.setUp()
    server = await TufHttpServer.start(join(dir, 'repository'))
    return () => server.close()
  })

  async function edge() {
    const edgeDir = await mkdtemp(join(dir, 'edge-'))
    const metadataDir = join(edgeDir, 'metadata')
    await OtaUpdater.pinRoot(metadataDir, await repository.trustedRoot())
    return new OtaUpdater({
      metadataDir,
      targetDir: join(edgeDir, 'targets'),
      metadataBaseUrl: `${server.url}/metadata`,
      targetBaseUrl: `${server.url}/targets`,
    })
  }

  test('a published bundle is listed under app/ and downloaded verified by an edge', async ({
    assert,
  }) => {
    const bytes = Buffer.from('a release tarball of Outpost 1.2.3')
    const published = await repository.publishAppBundle('1.2.3', bytes, 'fixes the chart')
    assert.equal(published.path, 'app/outpost-1.2.3.tgz')
    assert.equal(published.role, 'app')

    const updater = await edge()
    await updater.refresh()
    const targets = await updater.listTargets('app/')
    assert.deepEqual(
      targets.map((target) => [target.path, target.custom]),
      [['app/outpost-1.2.3.tgz', { kind: 'app', version: '1.2.3', notes: 'fixes the chart' }]]
    )
    const downloaded = await updater.download('app/outpost-1.2.3.tgz')
    assert.deepEqual(Buffer.from(downloaded.bytes), bytes)
    assert.deepEqual(await readFile(downloaded.file), bytes)
    assert.lengthOf(await updater.listTargets('rulepacks/'), 0)
  })

  test('a version is published once: the same bytes again are a no-op, other bytes refused', async ({
    assert,
  }) => {
    const bytes = Buffer.from('release 2.0.0')
    await repository.publishAppBundle('2.0.0', bytes)
    const again = await repository.publishAppBundle('2.0.0', bytes)
    assert.equal(again.path, 'app/outpost-2.0.0.tgz')
    await assert.rejects(
      () => repository.publishAppBundle('2.0.0', Buffer.from('other bytes')),
      /already published with other bytes/
    )
    await assert.rejects(
      () => repository.publishAppBundle('latest', bytes),
      /not a release version/
    )
  })
})
