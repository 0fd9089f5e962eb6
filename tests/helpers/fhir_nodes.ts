import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ApiClientService } from '#services/api_client_service'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'

/**
 * The two FHIR servers every FHIR test runs against: the iCDR of this test
 * process on MariaDB, and a gateway process on its own SQLite file.
 */
export interface FhirNode {
  name: string
  base: string
  token: string
}

let gateway: Promise<{ node: NodeProcess; token: string }> | undefined

async function registerClient(connection: string, name: string) {
  const clients = new ApiClientService(db.connection(connection) as any)
  return clients.register(name, ['fhir', 'api'])
}

let icdrToken: Promise<string> | undefined

export async function icdrOnMariaDb(): Promise<FhirNode> {
  icdrToken ??= registerClient('mysql', 'tests')
  const { host, port } = { host: process.env.HOST, port: process.env.PORT }
  return { name: 'iCDR on MariaDB', base: `http://${host}:${port}/fhir`, token: await icdrToken }
}

export async function gatewayOnSqlite(): Promise<FhirNode> {
  gateway ??= (async () => {
    /* The FHIR API on its own: no shipped business rules refusing minimal test records. */
    const node = await startNode({ APP_ROLE: 'gateway', IMPORT_SHIPPED_PACKS: 'false' })
    db.manager.add('gateway_under_test', {
      ...app.config.get<any>('database.connections.sqlite'),
      connection: { filename: node.sqlitePath },
    })
    const token = await registerClient('gateway_under_test', 'tests')
    return { node, token }
  })()
  const { node, token } = await gateway
  return { name: 'gateway on SQLite', base: `${node.url}/fhir`, token }
}

/** Test files loop over these; each group resolves its node in its setup. */
export const FHIR_NODES = [
  { name: 'iCDR on MariaDB', start: icdrOnMariaDb },
  { name: 'gateway on SQLite', start: gatewayOnSqlite },
] as const

export async function stopSharedNodes() {
  if (gateway) {
    const { node } = await gateway
    await node.stop()
    gateway = undefined
  }
  icdrToken = undefined
}
