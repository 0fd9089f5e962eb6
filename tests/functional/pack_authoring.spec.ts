import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ApiClientService } from '#services/api_client_service'
import { PackRepository } from '#services/pack_repository'
import type { RulePack } from '#rules_engine/pack_types'
import { icdrOnMariaDb } from '#tests/helpers/fhir_nodes'
import { assertOperationOutcome, fhirClient } from '#tests/helpers/fhir_client'

const run = randomUUID().slice(0, 8)
/** Packs of this file refuse only Patients with this run's family name. */
const family = `Authoring${run}`

interface ApiAnswer {
  status: number
  headers: Headers
  json: any
}

let apiBase: string
const tokens = { publisher: '', author: '' }

async function api(
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null } = {}
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const token = options.token === undefined ? tokens.publisher : options.token
  if (token) {
    headers.authorization = `Bearer ${token}`
  }
  const body = options.body === undefined ? undefined : JSON.stringify(options.body)
  const response = await fetch(`${apiBase}/api/v1/rule-packs${path}`, { method, headers, body })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    json: text ? JSON.parse(text) : null,
  }
}

/** A business pack refusing this run's family name, with a test that passes. */
function markerPack(
  name: string,
  version: string,
  message = 'This family name is refused'
): RulePack {
  return {
    id: `${name}-${run}`,
    version,
    kind: 'business',
    title: `Authoring test ${name}`,
    publisher: 'tests',
    status: 'draft',
    requires: '>=0.1.0',
    triggers: [{ resourceTypes: ['Patient'], events: ['beforeSave'] }],
    facts: ['resource'],
    rules: [
      {
        name: 'marker-family-refused',
        conditions: {
          all: [{ fact: 'resource', path: '$.name[0].family', operator: 'equal', value: family }],
        },
        event: { type: 'reject', params: { message, path: 'Patient.name' } },
      },
    ],
    tests: [
      {
        name: 'the marked family name is refused',
        given: { resource: { resourceType: 'Patient', name: [{ family }] } },
        expect: { actions: [{ type: 'reject', rule: 'marker-family-refused' }] },
      },
    ],
  }
}

async function draftAndPublish(pack: RulePack) {
  const draft = await api('POST', '/', { body: pack })
  if (draft.status !== 201) {
    throw new Error(`draft refused: ${JSON.stringify(draft.json)}`)
  }
  return api('POST', `/${pack.id}/${pack.version}/publish`)
}

/** `[version, status]` of every stored version of a pack, lowest first. */
async function versionsOf(id: string): Promise<string[][]> {
  const list = await api('GET', '/')
  const versions = list.json.find((entry: any) => entry.id === id)?.versions ?? []
  return versions.map((each: any) => [each.version, each.status])
}

test.group('Rule pack authoring on the iCDR', (group) => {
  group.setup(async () => {
    const node = await icdrOnMariaDb()
    apiBase = node.base.replace(/\/fhir$/, '')
    const clients = new ApiClientService(db.connection('mysql') as any)
    tokens.publisher = await clients.register(`authoring-publisher-${run}`, ['rules:publish'])
    tokens.author = await clients.register(`authoring-author-${run}`, ['rules:author'])
    return async () => {
      await db.from('rule_packs').where('pack_id', 'like', `%-${run}`).update({ status: 'retired' })
      const packs = await app.container.make(PackRepository)
      packs.invalidate()
    }
  })

  test('a draft is saved, replaced while still a draft, and listed', async ({ assert }) => {
    const pack = markerPack('draft', '1.0.0')
    const saved = await api('POST', '/', { body: pack, token: tokens.author })
    assert.equal(saved.status, 201, JSON.stringify(saved.json))
    const replaced = await api('POST', '/', { body: { ...pack, title: 'Renamed' } })
    assert.equal(replaced.status, 200)
    assert.isTrue(replaced.json.replaced)

    assert.deepEqual(await versionsOf(pack.id), [['1.0.0', 'draft']])
    const shown = await api('GET', `/${pack.id}/1.0.0`)
    assert.equal(shown.json.title, 'Renamed')
  })

  test('a pack naming an unknown fact is refused with the path of the problem', async ({
    assert,
  }) => {
    const pack = markerPack('unknown-fact', '1.0.0')
    pack.facts.push('noSuchFact')
    const saved = await api('POST', '/', { body: pack })
    assert.equal(saved.status, 422)
    assert.equal(saved.json.error.code, 'E_PACK_UNKNOWN_FACT')
    assert.deepInclude(
      saved.json.error.problems.map((problem: any) => problem.path),
      '/facts/1'
    )

    const checked = await api('POST', '/validate', { body: pack })
    assert.isFalse(checked.json.valid)
    assert.equal(checked.json.problems[0].path, '/facts/1')
  })

  test('a pack whose tests fail cannot be published', async ({ assert }) => {
    const pack = markerPack('failing', '1.0.0')
    pack.tests![0].expect = { none: true }
    const published = await draftAndPublish(pack)
    assert.equal(published.status, 422)
    assert.equal(published.json.error.code, 'E_PACK_TESTS_FAILED')
    assert.equal(published.json.error.problems[0].path, '/tests/0')

    const tested = await api('POST', `/${pack.id}/1.0.0/test`)
    assert.equal(tested.json.failed, 1)
    assert.isFalse(tested.json.results[0].passed)
    assert.deepEqual(await versionsOf(pack.id), [['1.0.0', 'draft']])
  })

  test('a pack whose version is not greater than the published one cannot be published', async ({
    assert,
  }) => {
    const first = await draftAndPublish(markerPack('versions', '2.0.0'))
    assert.equal(first.status, 200)
    const older = await draftAndPublish(markerPack('versions', '1.10.0'))
    assert.equal(older.status, 409)
    assert.equal(older.json.error.code, 'E_PACK_VERSION_NOT_GREATER')

    const rewrite = await api('POST', '/', { body: markerPack('versions', '2.0.0', 'Changed') })
    assert.equal(rewrite.status, 409)
    assert.equal(rewrite.json.error.code, 'E_PACK_PUBLISHED_IMMUTABLE')
  })

  test('publishing makes a version active, retires the previous one, and it fires on the next save', async ({
    assert,
  }) => {
    const fhir = fhirClient(await icdrOnMariaDb())
    const first = await draftAndPublish(markerPack('lifecycle', '1.0.0'))
    assert.equal(first.status, 200)
    const next = markerPack('lifecycle', '1.1.0', 'Version two refuses this family name')
    const published = await draftAndPublish(next)
    assert.equal(published.status, 200, JSON.stringify(published.json))

    assert.deepEqual(await versionsOf(next.id), [
      ['1.0.0', 'retired'],
      ['1.1.0', 'active'],
    ])
    const patient = { resourceType: 'Patient', name: [{ family }], gender: 'male' }
    assertOperationOutcome(assert, await fhir('POST', '/Patient', { body: patient }), 422, {
      diagnostics: new RegExp(`Version two refuses.*lifecycle-${run}@1.1.0#marker-family-refused`),
    })
  })

  test('the diff against the previous published version lists a changed rule', async ({
    assert,
  }) => {
    await draftAndPublish(markerPack('diff', '1.0.0'))
    const next = markerPack('diff', '1.1.0', 'A new message')
    next.rules.push({ ...next.rules[0], name: 'another-rule' })
    await api('POST', '/', { body: next })

    const diff = await api('GET', `/${next.id}/1.1.0/diff`)
    assert.equal(diff.status, 200)
    assert.deepEqual(diff.json.from, { version: '1.0.0', status: 'active' })
    assert.deepEqual(diff.json.rules, {
      added: ['another-rule'],
      removed: [],
      changed: ['marker-family-refused'],
    })
    assert.deepEqual(diff.json.facts, { added: [], removed: [] })
  })

  test('a token without rules:publish gets 403 on publish, and no token gets 401', async ({
    assert,
  }) => {
    const pack = markerPack('forbidden', '1.0.0')
    await api('POST', '/', { body: pack, token: tokens.author })
    const refused = await api('POST', `/${pack.id}/1.0.0/publish`, { token: tokens.author })
    assert.equal(refused.status, 403)
    assert.equal(refused.json.error.code, 'E_FORBIDDEN')
    const anonymous = await api('GET', '/', { token: null })
    assert.equal(anonymous.status, 401)
    assert.equal(anonymous.json.error.code, 'E_UNAUTHORIZED')
  })

  test('the rule pack schema is served without a token', async ({ assert }) => {
    const schema = await api('GET', '/schema', { token: null })
    assert.equal(schema.status, 200)
    assert.match(schema.headers.get('content-type')!, /^application\/schema\+json/)
    assert.equal(schema.json.$id, 'urn:outpost:schema:rule-pack:1')
  })

  test('rules:publish uploads and publishes a pack file, and exits non-zero when refused', async ({
    assert,
  }) => {
    const folder = await mkdtemp(join(tmpdir(), 'outpost-publish-'))
    const file = join(folder, 'pack.json')
    await writeFile(file, JSON.stringify(markerPack('command', '1.0.0'), null, 2))

    const first = await ace(['rules:publish', file, '--icdr', apiBase, '--token', tokens.publisher])
    assert.equal(first.code, 0, first.output)
    assert.include(first.output, `command-${run}@1.0.0 published`)
    assert.deepEqual(await versionsOf(`command-${run}`), [['1.0.0', 'active']])

    const again = await ace(['rules:publish', file, '--icdr', `${apiBase}/fhir`], {
      OUTPOST_TOKEN: tokens.publisher,
    })
    assert.equal(again.code, 1, again.output)
    assert.include(again.output, 'E_PACK_PUBLISHED_IMMUTABLE')
  }).timeout(60_000)
})

function ace(argv: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['ace', ...argv], {
      cwd: app.appRoot.pathname,
      env: { ...process.env, ...env },
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}
