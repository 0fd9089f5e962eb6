import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { OtaChannelService } from '#services/ota_channel_service'
import { OtaRepositoryService } from '#services/ota_repository_service'
import type { RulePack } from '#rules_engine/pack_types'
import { OtaIcdr, postPatient, refusingPack, type OtaEdge } from '#tests/helpers/ota_nodes'

const run = randomUUID().slice(0, 8)

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) {
      return value
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** The version of the marker pack that refused a Patient on the edge, or `none` when it was saved. */
async function refusingVersion(edge: OtaEdge, family: string): Promise<string> {
  const answer = await postPatient(edge, family)
  if (answer.status === 201) {
    return 'none'
  }
  return (
    /Refused by version (\S+)/.exec(answer.diagnostics)?.[1] ??
    `${answer.status} ${answer.diagnostics}`
  )
}

test.group('Over-the-air delivery of rule packs to a gateway', (group) => {
  let icdr: OtaIcdr
  let gateway: OtaEdge
  group.setup(async () => {
    icdr = await OtaIcdr.start()
    gateway = await icdr.startEdge('clinic-gateway')
    return () => icdr.stop()
  })

  test('a pack published on the iCDR is installed on the gateway and refuses a Patient there', async ({
    assert,
  }) => {
    const family = `Delivered${run}`
    const published = await icdr.publish(refusingPack(`delivered-${run}`, '1.0.0', family))
    assert.containsSubset(published.json.ota, {
      delivered: true,
      target: `rulepacks/delivered-${run}-1.0.0.json`,
      channels: ['stable', 'pilot'],
    })
    assert.equal(await refusingVersion(gateway, family), 'none')

    const check = await gateway.check()
    assert.equal(check.code, 0, check.output)
    assert.include(check.output, `delivered-${run}: none -> 1.0.0`)

    const refused = await postPatient(gateway, family)
    assert.equal(refused.status, 422)
    assert.match(
      refused.diagnostics,
      new RegExp(`Refused by version 1.0.0.*delivered-${run}@1.0.0`)
    )
    assert.deepEqual(await gateway.active(), [`delivered-${run}@1.0.0`])

    const device = await icdr.device(gateway.name)
    assert.containsSubset(device, {
      channel: 'stable',
      installed: [{ packId: `delivered-${run}`, version: '1.0.0' }],
      upToDate: true,
      lastError: null,
    })
    assert.isNotNull(device.lastCheckAt)
  })

  test('a revert on the iCDR rolls the gateway back to the version before', async ({ assert }) => {
    const id = `reverted-${run}`
    const family = `Reverted${run}`
    await icdr.publish(refusingPack(id, '1.0.0', family))
    await icdr.publish(refusingPack(id, '1.1.0', family))
    const check = await gateway.check()
    assert.equal(check.code, 0, check.output)
    assert.equal(await refusingVersion(gateway, family), '1.1.0')

    const reverted = await icdr.api('POST', `/api/v1/ota/channels/stable/packs/${id}/revert`)
    assert.equal(reverted.status, 200, JSON.stringify(reverted.json))
    assert.containsSubset(reverted.json, { version: '1.0.0', previousVersion: null })

    const rolledBack = await gateway.check()
    assert.equal(rolledBack.code, 0, rolledBack.output)
    assert.include(rolledBack.output, `${id}: 1.1.0 -> 1.0.0`)
    assert.equal(await refusingVersion(gateway, family), '1.0.0')
    assert.include(await gateway.active(), `${id}@1.0.0`)

    const again = await icdr.api('POST', `/api/v1/ota/channels/stable/packs/${id}/revert`)
    assert.equal(again.status, 409)
    assert.equal(again.json.error.code, 'E_OTA_NOTHING_TO_REVERT')
  })

  test('retiring a version on the iCDR takes it off the gateway', async ({ assert }) => {
    const id = `retired-${run}`
    const family = `Retired${run}`
    await icdr.publish(refusingPack(id, '1.0.0', family))
    await gateway.check()
    assert.equal(await refusingVersion(gateway, family), '1.0.0')

    const retired = await icdr.api('POST', `/api/v1/rule-packs/${id}/1.0.0/retire`)
    assert.equal(retired.status, 200)
    const check = await gateway.check()
    assert.include(check.output, `${id}: 1.0.0 -> none`)
    assert.equal(await refusingVersion(gateway, family), 'none')
    assert.notInclude(await gateway.active(), `${id}@1.0.0`)
  })

  test('a pack whose own tests fail on the gateway is rolled back at once and held back', async ({
    assert,
  }) => {
    const id = `failing-${run}`
    const family = `Failing${run}`
    await icdr.publish(refusingPack(id, '1.0.0', family))
    await gateway.check()
    const before = await gateway.active()

    /* As if it passed on the iCDR's platform: stored there as published, its test expects nothing. */
    const failing: RulePack = { ...refusingPack(id, '1.1.0', family), status: 'active' }
    failing.tests![0].expect = { none: true }
    const content = JSON.stringify(failing)
    await db.connection(icdr.connection).table('rule_packs').insert({
      pack_id: id,
      version: '1.1.0',
      kind: 'business',
      status: 'retired',
      content,
      checksum: 'not-checked',
      origin: 'authoring',
      created_at: Date.now(),
      updated_at: Date.now(),
    })
    const released = await icdr.api('POST', '/api/v1/ota/channels/stable/releases', {
      body: { packId: id, version: '1.1.0' },
    })
    assert.equal(released.status, 201, JSON.stringify(released.json))

    const check = await gateway.check()
    assert.equal(check.code, 1)
    assert.include(check.output, 'E_OTA_PACK_TESTS_FAILED')
    assert.deepEqual(await gateway.active(), before)
    assert.equal(await refusingVersion(gateway, family), '1.0.0')

    const next = await gateway.check()
    assert.include(next.output, `${id}@1.1.0: held back here`)
    assert.deepEqual(await gateway.active(), before)
    const device = await icdr.device(gateway.name)
    assert.deepInclude(
      device.heldBack.map((held: any) => `${held.packId}@${held.version}`),
      `${id}@1.1.0`
    )
    assert.isFalse(device.upToDate)
  })

  test('a rollback on the gateway by hand restores the previous version and keeps it', async ({
    assert,
  }) => {
    const id = `by-hand-${run}`
    const family = `ByHand${run}`
    await icdr.publish(refusingPack(id, '1.0.0', family))
    await gateway.check()
    await icdr.publish(refusingPack(id, '2.0.0', family))
    await gateway.check()
    assert.include(await gateway.active(), `${id}@2.0.0`)

    const rollback = await gateway.node.ace([
      'ota:rollback',
      '--pack',
      id,
      '--reason',
      'clinic asked',
    ])
    assert.equal(rollback.code, 0, rollback.output)
    assert.include(rollback.output, `${id}: 2.0.0 -> 1.0.0`)
    assert.include(await gateway.active(), `${id}@1.0.0`)
    await waitFor('the running gateway to use 1.0.0 again', async () => {
      const answer = await postPatient(gateway, family)
      return /Refused by version 1.0.0/.test(answer.diagnostics) ? true : undefined
    })

    await gateway.check()
    assert.include(await gateway.active(), `${id}@1.0.0`)
    const device = await icdr.device(gateway.name)
    const held = device.heldBack.find((each: any) => each.packId === id)
    assert.containsSubset(held, { version: '2.0.0', reason: 'rolled back by hand: clinic asked' })
  })

  test('a gateway that checks on a schedule picks up a publish without a restart', async ({
    assert,
  }) => {
    const scheduled = await icdr.startEdge('scheduled-gateway', {
      OTA_CHECK_INTERVAL_SECONDS: '1',
      OTA_TRUSTED_ROOT: join(icdr.otaDir, 'metadata', '1.root.json'),
    })
    const family = `Scheduled${run}`
    await icdr.publish(refusingPack(`scheduled-${run}`, '1.0.0', family))

    await waitFor('the running gateway to refuse the Patient', async () => {
      const version = await refusingVersion(scheduled, family)
      return version === '1.0.0' ? version : undefined
    })
    const installed = await waitFor('the gateway to report it', async () => {
      const seen = await icdr.device('scheduled-gateway')
      const keys = (seen?.installed ?? []).map((pack: any) => `${pack.packId}@${pack.version}`)
      return keys.includes(`scheduled-${run}@1.0.0`) ? keys : undefined
    })
    /* It came with the packs of the earlier tests, less the one whose tests fail on edges. */
    assert.includeMembers(installed, [`delivered-${run}@1.0.0`, `reverted-${run}@1.0.0`])
    assert.notInclude(installed, `failing-${run}@1.1.0`)
  })
})

test.group('Over-the-air channels and staged rollouts', (group) => {
  let icdr: OtaIcdr
  const devices = { early: '', late: '' }
  group.setup(async () => {
    /* New versions go to stable only: pilot receives what is released to it. */
    icdr = await OtaIcdr.start({ OTA_RELEASE_CHANNELS: 'stable' })
    devices.early = await icdr.registerDevice('early-tablet')
    devices.late = await icdr.registerDevice('late-tablet')
    return () => icdr.stop()
  })

  async function versionsSeenBy(token: string, query = '') {
    const answer = await icdr.api('GET', `/api/v1/ota/updates${query}`, { token })
    return answer.json
  }

  async function channelSeenBy(token: string, query = ''): Promise<string> {
    const updates = await versionsSeenBy(token, query)
    return updates.channel
  }

  test('a rollout to named devices reaches only them until it is widened to the whole channel', async ({
    assert,
  }) => {
    const id = `rollout-${run}`
    await icdr.publish(refusingPack(id, '1.0.0', 'Rollout'))
    await icdr.publish(refusingPack(id, '1.1.0', 'Rollout'))
    const reverted = await icdr.api('POST', `/api/v1/ota/channels/stable/packs/${id}/revert`)
    assert.equal(reverted.status, 200)

    const released = await icdr.api('POST', '/api/v1/ota/channels/stable/releases', {
      body: { packId: id, version: '1.1.0', percentage: 0, devices: ['early-tablet'] },
    })
    assert.equal(released.status, 201, JSON.stringify(released.json))
    const early = await versionsSeenBy(devices.early)
    const late = await versionsSeenBy(devices.late)
    assert.deepInclude(early.packs, {
      packId: id,
      version: '1.1.0',
      target: `rulepacks/${id}-1.1.0.json`,
    })
    assert.deepInclude(late.packs, {
      packId: id,
      version: '1.0.0',
      target: `rulepacks/${id}-1.0.0.json`,
    })

    const listed = await icdr.api('GET', '/api/v1/ota/channels')
    const stable = listed.json.find((channel: any) => channel.name === 'stable')
    assert.deepInclude(stable.packs, {
      channel: 'stable',
      packId: id,
      version: '1.0.0',
      previousVersion: null,
      rollout: { version: '1.1.0', percentage: 0, devices: ['early-tablet'], state: 'active' },
    })

    const paused = await icdr.api('POST', `/api/v1/ota/channels/stable/packs/${id}/pause`)
    assert.equal(paused.json.rollout.state, 'paused')
    const whilePaused = await versionsSeenBy(devices.early)
    assert.deepInclude(whilePaused.packs, {
      packId: id,
      version: '1.0.0',
      target: `rulepacks/${id}-1.0.0.json`,
    })
    await icdr.api('POST', '/api/v1/ota/reports', {
      token: devices.early,
      body: { installed: [{ packId: id, version: '1.1.0' }], heldBack: [] },
    })
    const installedBeforePause = await versionsSeenBy(devices.early)
    assert.deepInclude(installedBeforePause.packs, {
      packId: id,
      version: '1.1.0',
      target: `rulepacks/${id}-1.1.0.json`,
    })

    await icdr.api('POST', `/api/v1/ota/channels/stable/packs/${id}/resume`)
    const widened = await icdr.api('PUT', `/api/v1/ota/channels/stable/packs/${id}/rollout`, {
      body: { percentage: 100 },
    })
    assert.containsSubset(widened.json, {
      version: '1.1.0',
      previousVersion: '1.0.0',
      rollout: null,
    })
    const everyone = await versionsSeenBy(devices.late)
    assert.deepInclude(everyone.packs, {
      packId: id,
      version: '1.1.0',
      target: `rulepacks/${id}-1.1.0.json`,
    })
  })

  test('a percentage rollout picks the same devices every time, and more as it grows', async ({
    assert,
  }) => {
    const id = `share-${run}`
    const published = await icdr.publish(refusingPack(id, '1.0.0', 'Share'))
    assert.deepEqual(published.json.ota.channels, ['stable'])
    const released = await icdr.api('POST', `/api/v1/ota/channels/pilot/releases`, {
      body: { packId: id, version: '1.0.0', percentage: 0 },
    })
    assert.containsSubset(released.json, { version: null, rollout: { percentage: 0 } })
    const names = Array.from({ length: 20 }, (_, index) => `share-device-${index}`)
    const tokens = await Promise.all(names.map((name) => icdr.registerDevice(name)))
    for (const name of names) {
      await icdr.api('PUT', '/api/v1/ota/assignments', {
        token: icdr.tokens.admin,
        body: { device: name, channel: 'pilot' },
      })
    }
    const reached = async () => {
      const seen = await Promise.all(tokens.map((token) => versionsSeenBy(token)))
      return names.filter((_, index) => seen[index].packs.some((pack: any) => pack.packId === id))
    }
    assert.deepEqual(await reached(), [])

    await icdr.api('PUT', `/api/v1/ota/channels/pilot/packs/${id}/rollout`, {
      body: { percentage: 30 },
    })
    const some = await reached()
    assert.deepEqual(await reached(), some)
    await icdr.api('PUT', `/api/v1/ota/channels/pilot/packs/${id}/rollout`, {
      body: { percentage: 70 },
    })
    const more = await reached()
    assert.includeMembers(more, some)
    assert.isAbove(more.length, some.length)
    assert.isBelow(more.length, names.length)
  })

  test('a device follows its facility channel unless it has its own', async ({ assert }) => {
    const facility = `facility-${run}`
    const byFacility = await icdr.api('PUT', '/api/v1/ota/assignments', {
      token: icdr.tokens.admin,
      body: { facility, channel: 'pilot' },
    })
    assert.equal(byFacility.status, 200)
    assert.equal(await channelSeenBy(devices.late, `?facility=${facility}`), 'pilot')
    assert.equal(await channelSeenBy(devices.late), 'stable')

    await icdr.api('POST', '/api/v1/ota/channels', {
      token: icdr.tokens.admin,
      body: { name: `ward-${run}`, description: 'one ward first' },
    })
    await icdr.api('PUT', '/api/v1/ota/assignments', {
      token: icdr.tokens.admin,
      body: { device: 'late-tablet', channel: `ward-${run}` },
    })
    assert.equal(await channelSeenBy(devices.late, `?facility=${facility}`), `ward-${run}`)

    const both = await icdr.api('PUT', '/api/v1/ota/assignments', {
      token: icdr.tokens.admin,
      body: { device: 'late-tablet', facility, channel: 'stable' },
    })
    assert.equal(both.status, 422)
    const unknown = await icdr.api('PUT', '/api/v1/ota/assignments', {
      token: icdr.tokens.admin,
      body: { device: 'late-tablet', channel: 'nightly' },
    })
    assert.equal(unknown.status, 404)
    assert.equal(unknown.json.error.code, 'E_OTA_CHANNEL_NOT_FOUND')
  })

  test('only published versions can be released', async ({ assert }) => {
    const answer = await icdr.api('POST', '/api/v1/ota/channels/stable/releases', {
      body: { packId: `never-${run}`, version: '1.0.0' },
    })
    assert.equal(answer.status, 409)
    assert.equal(answer.json.error.code, 'E_OTA_PACK_NOT_PUBLISHED')
  })
})

test.group('Release channels on the MariaDB iCDR', () => {
  test('releases, rollouts and reverts are kept per channel and pack', async ({ assert }) => {
    const channels = await app.container.make(OtaChannelService)
    const id = `mariadb-${run}`
    await channels.release('pilot', id, '1.0.0')
    await channels.release('pilot', id, '1.1.0', { devices: ['first-device'] })
    const device = (name: string) => ({ name, installed: new Set<string>() })

    const first = await channels.updatesFor(device('first-device'))
    const other = await channels.updatesFor(device('other-device'))
    assert.equal(first.channel, 'stable')
    await channels.assign('device', 'first-device', 'pilot')
    await channels.assign('device', 'other-device', 'pilot')
    const inPilot = await channels.updatesFor(device('first-device'))
    const notInRollout = await channels.updatesFor(device('other-device'))
    assert.deepInclude(inPilot.packs, {
      packId: id,
      version: '1.1.0',
      target: `rulepacks/${id}-1.1.0.json`,
    })
    assert.deepInclude(notInRollout.packs, {
      packId: id,
      version: '1.0.0',
      target: `rulepacks/${id}-1.0.0.json`,
    })
    assert.notDeepInclude(
      other.packs.map((pack) => pack.packId),
      id
    )

    const reverted = await channels.revert('pilot', id)
    assert.deepEqual(reverted, {
      channel: 'pilot',
      packId: id,
      version: '1.0.0',
      previousVersion: null,
      rollout: null,
    })
    await channels.assign('device', 'first-device', null)
    assert.equal(await channels.channelOf('first-device'), 'stable')
  })
})

test.group('The TUF repository of the iCDR', () => {
  test('the timestamp is signed again once half of its life is gone', async ({ assert }) => {
    const dir = await mkdtemp(join(tmpdir(), 'outpost-ota-timestamp-'))
    try {
      const repository = new OtaRepositoryService({
        repositoryDir: join(dir, 'ota'),
        keysDir: join(dir, 'keys'),
        timestampExpirySeconds: 4,
      })
      await repository.setUp()
      const fresh = await repository.refreshTimestampIfDue()
      assert.isFalse(fresh.refreshed)

      await new Promise((resolve) => setTimeout(resolve, 2100))
      const due = await repository.refreshTimestampIfDue()
      assert.isTrue(due.refreshed)
      assert.isAbove(due.expires.getTime(), fresh.expires.getTime())
      const state = await repository.files.readState()
      assert.equal(state.timestamp.signed.version, 2)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
