import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DashboardMetricsService } from '#services/dashboard_metrics'
import { DeviceOverviewService } from '#services/device_overview'
import { DeviceService } from '#services/device_service'
import { FhirStore } from '#services/fhir_store'
import { OtaChannelService } from '#services/ota_channel_service'
import { OtaFleetService } from '#services/ota_fleet_service'
import { ReleasePreviewService } from '#services/release_preview'
import { RULE_IDENTIFIER_SYSTEM } from '#rules_engine/actions/detected_issue'
import type { Principal } from '#identity/principal'

const run = randomUUID().slice(0, 8)
const DAY = 24 * 3600 * 1000
const admin: Principal = {
  kind: 'user',
  id: `admin-${run}`,
  name: `admin-${run}`,
  roles: ['administrator'],
  scopes: [],
}

async function write(resource: { resourceType: string; id: string; [element: string]: any }) {
  const store = await app.container.make(FhirStore)
  await db.transaction(async (trx) => {
    const current = await store.read(resource.resourceType, resource.id, trx)
    await store.write(trx, {
      type: resource.resourceType,
      id: resource.id,
      method: current ? 'update' : 'create',
      resource,
      preserved: resource,
    })
  })
}

function finding(id: string, pack: string, severity: string, status = 'final', patient?: string) {
  return {
    resourceType: 'DetectedIssue',
    id,
    identifier: [{ system: RULE_IDENTIFIER_SYSTEM, value: `${pack}@1.0.0#some-rule` }],
    status,
    severity,
    ...(patient && { patient: { reference: `Patient/${patient}` } }),
    detail: 'implausible value',
  }
}

/** Creates a device with its code and, unless told otherwise, enrols it with that code. */
async function device(name: string, options: { enrol?: boolean; facility?: string } = {}) {
  const devices = await app.container.make(DeviceService)
  const created = await devices.create(
    { name, role: 'gateway', facilityIds: [options.facility ?? `facility-${run}`] },
    admin
  )
  if (options.enrol !== false) {
    await devices.enrol(created.code, { remoteAddress: `10.9.${run.length}.1` })
  }
  return created
}

test.group('Administration dashboard figures', () => {
  test('devices show when they were last seen and how far behind they are', async ({ assert }) => {
    await device(`lagging-${run}`)
    await device(`pending-${run}`, { enrol: false })
    const fleet = await app.container.make(OtaFleetService)
    const hourAgo = new Date(Date.now() - 3600_000).toISOString()
    await fleet.report(`lagging-${run}`, {
      installed: [{ packId: 'vital-signs-dq', version: '1.0.0' }],
      heldBack: [],
      lastCheckAt: new Date().toISOString(),
      lastSuccessAt: hourAgo,
    })
    await fleet.report(`reporting-${run}`, { installed: [], heldBack: [], lastSuccessAt: null })

    const overview = await app.container.make(DeviceOverviewService)
    const rows = await overview.list()
    const lagging = rows.find((row) => row.name === `lagging-${run}`)!
    assert.equal(lagging.status, 'enrolled')
    assert.equal(lagging.lastSyncAt, hourAgo)
    assert.approximately(lagging.syncLagSeconds!, 3600, 5)
    assert.deepEqual(lagging.installed, [{ packId: 'vital-signs-dq', version: '1.0.0' }])
    assert.isNotNull(lagging.lastSeenAt)

    const pending = rows.find((row) => row.name === `pending-${run}`)!
    assert.equal(pending.status, 'pending')
    assert.isNull(pending.syncLagSeconds)
    assert.isNull(pending.lastSeenAt)

    const reporting = rows.find((row) => row.name === `reporting-${run}`)!
    assert.equal(reporting.status, 'reporting')
    assert.isNull(reporting.role)

    const metrics = await app.container.make(DashboardMetricsService)
    const lag = await metrics.syncLag()
    const mine = lag.filter((entry) => entry.device.endsWith(run)).map((entry) => entry.device)
    assert.includeMembers(mine, [`lagging-${run}`])
    assert.notInclude(mine, `pending-${run}`)
  })

  test("a device's last push to the sync hub counts as its last sync", async ({ assert }) => {
    await device(`pushing-${run}`)
    const fleet = await app.container.make(OtaFleetService)
    await fleet.report(`pushing-${run}`, {
      installed: [],
      heldBack: [],
      lastSuccessAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
    })
    const pushedAt = Date.now() - 600_000
    await db.table('sync_receipts').multiInsert([
      {
        device_name: `pushing-${run}`,
        item_key: `a-${run}`,
        answer: '{}',
        created_at: pushedAt - 60_000,
      },
      { device_name: `pushing-${run}`, item_key: `b-${run}`, answer: '{}', created_at: pushedAt },
    ])
    const overview = await app.container.make(DeviceOverviewService)
    const pushing = await overview.find(`pushing-${run}`)
    assert.equal(pushing!.lastSyncAt, new Date(pushedAt).toISOString())
    assert.approximately(pushing!.syncLagSeconds!, 600, 5)
  })

  test('rule firings are counted per pack and day, cancelled findings left out', async ({
    assert,
  }) => {
    const pack = `firing-pack-${run}`
    await write(finding(`fire-a-${run}`, pack, 'high'))
    await write(finding(`fire-b-${run}`, pack, 'moderate'))
    await write(finding(`fire-b-${run}`, pack, 'moderate', 'cancelled'))
    await db.table('rule_alerts').insert({
      pack_key: `${pack}@1.0.0`,
      rule: 'alert-rule',
      resource_type: 'Patient',
      resource_id: `p-${run}`,
      message: 'look',
      requires_ack: true,
      created_at: Date.now() - 2 * DAY,
    })

    const metrics = await app.container.make(DashboardMetricsService)
    const series = await metrics.ruleFirings(7)
    assert.lengthOf(series.days, 7)
    assert.equal(series.days[6], new Date().toISOString().slice(0, 10))
    const firings = series.packs.find((entry) => entry.pack === pack)!
    assert.deepEqual(firings.counts, [0, 0, 0, 0, 1, 0, 2])
    assert.equal(firings.total, 3)

    const shorter = await metrics.ruleFirings(1)
    assert.equal(shorter.packs.find((entry) => entry.pack === pack)!.total, 2)
  })

  test('open DQ findings are grouped by the facility of their patient', async ({ assert }) => {
    const organization = `org-${run}`
    await write({ resourceType: 'Organization', id: organization, name: `Riverside ${run}` })
    await write({
      resourceType: 'Patient',
      id: `child-${run}`,
      managingOrganization: { reference: `Organization/${organization}` },
    })
    await write({ resourceType: 'Patient', id: `nowhere-${run}` })
    const pack = `dq-pack-${run}`
    await write(finding(`dq-1-${run}`, pack, 'high', 'final', `child-${run}`))
    await write(finding(`dq-2-${run}`, pack, 'moderate', 'final', `child-${run}`))
    await write(finding(`dq-3-${run}`, pack, 'moderate', 'final', `child-${run}`))
    await write(finding(`dq-4-${run}`, pack, 'low', 'cancelled', `child-${run}`))
    await write(finding(`dq-5-${run}`, pack, 'low', 'final', `nowhere-${run}`))

    const metrics = await app.container.make(DashboardMetricsService)
    const facilities = await metrics.dqIssuesByFacility()
    const riverside = facilities.find((entry) => entry.facility === `Organization/${organization}`)!
    assert.equal(riverside.name, `Riverside ${run}`)
    assert.deepEqual(riverside.counts, { high: 1, moderate: 2, low: 0 })
    assert.equal(riverside.total, 3)
    const unknown = facilities.find((entry) => entry.facility === null)!
    assert.isAtLeast(unknown.counts.low, 1)
  })
})

test.group('What a release will reach', () => {
  test('a whole-channel release reaches every device following the channel', async ({ assert }) => {
    const channels = await app.container.make(OtaChannelService)
    const channel = `preview-${run}`
    await channels.create(channel)
    await device(`north-${run}`)
    await device(`south-${run}`)
    await device(`elsewhere-${run}`)
    await channels.assign('device', `north-${run}`, channel)
    await channels.assign('device', `south-${run}`, channel)

    const previews = await app.container.make(ReleasePreviewService)
    const whole = await previews.forRelease(channel, 'preview-pack', '2.0.0')
    const [effect] = whole.channels
    assert.isTrue(effect.whole)
    assert.sameMembers(
      effect.devices.map((each) => each.device),
      [`north-${run}`, `south-${run}`]
    )
    assert.equal(effect.reaching, 2)
    assert.isTrue(effect.devices.every((each) => each.runs === null && each.receives))

    const staged = await previews.forRelease(channel, 'preview-pack', '2.0.0', {
      percentage: 0,
      devices: [`south-${run}`],
    })
    assert.isFalse(staged.channels[0].whole)
    assert.deepEqual(
      staged.channels[0].devices.filter((each) => each.receives).map((each) => each.device),
      [`south-${run}`]
    )
  })

  test('publishing previews the channels new versions go to', async ({ assert }) => {
    const previews = await app.container.make(ReleasePreviewService)
    const preview = await previews.forPublish('preview-pack', '3.0.0')
    assert.sameMembers(
      preview.channels.map((each) => each.channel),
      ['stable', 'pilot']
    )
    const stable = preview.channels.find((each) => each.channel === 'stable')!
    assert.isTrue(stable.devices.some((each) => each.device === `elsewhere-${run}`))
    assert.isFalse(stable.devices.some((each) => each.device === `north-${run}`))
  })
})
