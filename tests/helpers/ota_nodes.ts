import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ApiClientService } from '#services/api_client_service'
import { TufRepository } from '#ota/tuf_repository'
import type { RulePack } from '#rules_engine/pack_types'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'

export interface ApiAnswer {
  status: number
  json: any
}

/** A gateway edge with its own SQLite store, as the iCDR knows it. */
export interface OtaEdge {
  /** Its device name on the iCDR: the name of the API client it presents. */
  name: string
  node: NodeProcess
  connection: string
  fhirToken: string
  /** `node ace ota:check` against this edge's store and settings, as an operator runs it. */
  check: () => Promise<{ code: number | null; output: string }>
  /** `packId@version` of every active pack. */
  active: () => Promise<string[]>
  stop: () => Promise<void>
}

function sqliteConnection(name: string, filename: string) {
  db.manager.add(name, {
    ...app.config.get<any>('database.connections.sqlite'),
    connection: { filename },
  })
  return name
}

/**
 * A real iCDR process on SQLite with a TUF repository made by `node ace ota:keys`, and
 * the API clients tests act as: a publisher, an administrator, and one device per edge.
 */
export class OtaIcdr {
  readonly tokens = { publisher: '', admin: '' }
  readonly #edges: OtaEdge[] = []

  private constructor(
    readonly node: NodeProcess,
    readonly dir: string,
    readonly connection: string
  ) {}

  static async start(env: Record<string, string> = {}): Promise<OtaIcdr> {
    const dir = await mkdtemp(join(tmpdir(), 'outpost-ota-'))
    const node = await startNode({
      APP_ROLE: 'icdr',
      DB_CONNECTION: 'sqlite',
      IMPORT_SHIPPED_PACKS: 'false',
      OTA_DIR: join(dir, 'ota'),
      OTA_KEYS_DIR: join(dir, 'keys'),
      ...env,
    })
    const keys = await node.ace(['ota:keys'])
    if (keys.code !== 0) {
      throw new Error(`ota:keys failed:\n${keys.output}`)
    }
    const connection = sqliteConnection(`ota_icdr_${randomUUID().slice(0, 8)}`, node.sqlitePath)
    const icdr = new OtaIcdr(node, dir, connection)
    icdr.tokens.publisher = await icdr.#register('publisher', ['rules:publish'])
    icdr.tokens.admin = await icdr.#register('admin', ['admin'])
    return icdr
  }

  get otaDir() {
    return join(this.dir, 'ota')
  }

  get keysDir() {
    return join(this.dir, 'keys')
  }

  /** The repository as the iCDR wrote it, read without any key. */
  repository() {
    return new TufRepository({ dir: this.otaDir, signers: {} })
  }

  /** `/targets/rulepacks/<sha256>.<name>`: where a mirror serves a pack version. */
  async targetUrlPath(packId: string, version: string): Promise<string> {
    const targets = await this.repository().listTargets('rulepacks')
    const target = targets.find((each) => each.path === `rulepacks/${packId}-${version}.json`)
    if (!target) {
      throw new Error(`${packId}@${version} is not a target`)
    }
    return `/${target.file}`
  }

  async api(
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {}
  ): Promise<ApiAnswer> {
    const response = await fetch(`${this.node.url}${path}`, {
      method,
      headers: {
        'accept': 'application/json',
        'content-type': 'application/json',
        'authorization': `Bearer ${options.token ?? this.tokens.publisher}`,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    })
    const text = await response.text()
    return { status: response.status, json: text ? JSON.parse(text) : null }
  }

  /** Uploads a pack as a draft and publishes it, as an informatician would. */
  async publish(pack: RulePack): Promise<ApiAnswer> {
    const draft = await this.api('POST', '/api/v1/rule-packs', { body: pack })
    if (draft.status !== 201) {
      throw new Error(`draft refused: ${JSON.stringify(draft.json)}`)
    }
    const published = await this.api(
      'POST',
      `/api/v1/rule-packs/${pack.id}/${pack.version}/publish`
    )
    if (published.status !== 200) {
      throw new Error(`publish refused: ${JSON.stringify(published.json)}`)
    }
    return published
  }

  /** What the fleet view says of one device. */
  async device(name: string) {
    const fleet = await this.api('GET', '/api/v1/ota/devices', { token: this.tokens.admin })
    return (fleet.json as any[]).find((each) => each.device === name)
  }

  /** A device principal for an edge (an API client with the `device` scope). */
  registerDevice(name: string) {
    return this.#register(name, ['device'])
  }

  /**
   * A gateway process that reaches this iCDR (and, unless `env` says otherwise, its
   * TUF repository at /ota) as the device `name`, with no shipped packs and no
   * scheduled check: tests check with `node ace ota:check`.
   */
  async startEdge(name: string, env: Record<string, string> = {}): Promise<OtaEdge> {
    const token = await this.registerDevice(name)
    const node = await startNode({
      APP_ROLE: 'gateway',
      ICDR_URL: this.node.url,
      ICDR_TOKEN: token,
      IMPORT_SHIPPED_PACKS: 'false',
      OTA_CHECK_INTERVAL_SECONDS: '0',
      ...env,
    })
    const connection = sqliteConnection(`ota_${name}_${randomUUID().slice(0, 8)}`, node.sqlitePath)
    const clients = new ApiClientService(db.connection(connection) as any)
    const fhirToken = await clients.register('tests', ['fhir'])
    const edge: OtaEdge = {
      name,
      node,
      connection,
      fhirToken,
      check: () => node.ace(['ota:check']),
      active: async () => {
        const rows = await db.connection(connection).from('rule_packs').where('status', 'active')
        return rows.map((row) => `${row.pack_id}@${row.version}`).sort()
      },
      stop: async () => {
        await db.manager.close(connection)
        await node.stop()
      },
    }
    this.#edges.push(edge)
    return edge
  }

  async stop() {
    await Promise.all(this.#edges.map((edge) => edge.stop()))
    await db.manager.close(this.connection)
    await this.node.stop()
    await rm(this.dir, { recursive: true, force: true })
  }

  #register(name: string, scopes: string[]) {
    const clients = new ApiClientService(db.connection(this.connection) as any)
    return clients.register(name, scopes)
  }
}

/** Posts a Patient to an edge's FHIR API; answers the status and the diagnostics. */
export async function postPatient(edge: OtaEdge, family: string) {
  const response = await fetch(`${edge.node.url}/fhir/Patient`, {
    method: 'POST',
    headers: {
      'authorization': `Bearer ${edge.fhirToken}`,
      'content-type': 'application/fhir+json',
    },
    body: JSON.stringify({ resourceType: 'Patient', name: [{ family }], gender: 'female' }),
  })
  const outcome = (await response.json()) as any
  const diagnostics = (outcome.issue ?? []).map((issue: any) => issue.diagnostics).join(' | ')
  return { status: response.status, diagnostics }
}

/**
 * A business pack refusing Patients with one family name, with a test that passes; its
 * message names the version, so a refusal shows which version ran.
 */
export function refusingPack(id: string, version: string, family: string): RulePack {
  return {
    id,
    version,
    kind: 'business',
    title: `OTA test ${id}`,
    publisher: 'tests',
    status: 'draft',
    requires: '>=0.1.0',
    triggers: [{ resourceTypes: ['Patient'], events: ['beforeSave'] }],
    facts: ['resource'],
    rules: [
      {
        name: 'family-refused',
        conditions: {
          all: [{ fact: 'resource', path: '$.name[0].family', operator: 'equal', value: family }],
        },
        event: {
          type: 'reject',
          params: { message: `Refused by version ${version}`, path: 'Patient.name' },
        },
      },
    ],
    tests: [
      {
        name: 'the family name is refused',
        given: { resource: { resourceType: 'Patient', name: [{ family }] } },
        expect: { actions: [{ type: 'reject', rule: 'family-refused' }] },
      },
    ],
  }
}
