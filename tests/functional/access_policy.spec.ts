import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import { ApiClientService } from '#services/api_client_service'
import { UserService, type UserRole } from '#services/user_service'
import { PERMISSIONS, holds } from '#policies/permissions'
import { ROUTE_POLICIES, permissionFor } from '#policies/route_policies'
import type { Principal } from '#identity/principal'

const run = randomUUID().slice(0, 8)
const base = `http://127.0.0.1:${process.env.PORT}`

interface Caller {
  name: string
  token: string | null
  principal: Principal | null
}

/** Sample values for route parameters: things that do not exist, so no call changes data. */
const SAMPLE_PARAMS: Record<string, string> = {
  type: 'Patient',
  id: `absent-${run}`,
  versionId: '1',
  alertId: '1',
  version: '9.9.9',
  username: `absent-${run}`,
  name: `absent-${run}`,
}

function routeTable() {
  const routes = router.toJSON().root ?? Object.values(router.toJSON()).flat()
  return routes.flatMap((route: any) =>
    route.methods
      .filter((method: string) => method !== 'HEAD')
      .map((method: string) => ({
        method,
        pattern: route.pattern as string,
        name: route.name as string,
      }))
  )
}

function urlOf(pattern: string, params: Record<string, string>) {
  return pattern.replace(/:(\w+)/g, (_match, key) => encodeURIComponent(params[key]))
}

async function userToken(username: string) {
  const response = await fetch(`${base}/api/v1/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: `Correct horse ${run}` }),
  })
  const body = (await response.json()) as { token: string }
  return body.token
}

async function callers(): Promise<Caller[]> {
  const users = await app.container.make(UserService)
  const roles: UserRole[] = ['clinician', 'informatician', 'administrator']
  const list: Caller[] = [{ name: 'anonymous', token: null, principal: null }]
  for (const role of roles) {
    const username = `${role}-${run}`
    await users.upsertLocal({
      username,
      fullName: `Test ${role}`,
      password: `Correct horse ${run}`,
      roles: [role],
    })
    list.push({
      name: role,
      token: await userToken(username),
      principal: { kind: 'user', id: username, name: username, roles: [role], scopes: [] },
    })
  }
  const clients = await app.container.make(ApiClientService)
  for (const scopes of [['fhir'], ['device'], ['rules:author'], ['audit']]) {
    const name = `client-${scopes.join('+')}-${run}`
    list.push({
      name,
      token: await clients.register(name, scopes),
      principal: { kind: 'client', id: name, name, roles: [], scopes },
    })
  }
  return list
}

test.group('Access policy', () => {
  test('every route of the route table names its access policy', ({ assert }) => {
    const missing = routeTable().filter(({ name }) => !name || !(name in ROUTE_POLICIES))
    assert.deepEqual(
      missing.map(({ method, pattern }) => `${method} ${pattern}`),
      [],
      'routes without an entry in app/policies/route_policies.ts'
    )
  })

  test('every policy names a route that exists', ({ assert }) => {
    const names = new Set(routeTable().map(({ name }) => name))
    /*
     * This process is an iCDR: clinic pages are routed on edges and the portal (tests/browser),
     * an edge's sync centre on edges (tests/functional/sync.spec.ts, tests/browser/sync_centre.spec.ts),
     * a shell's set-up page on desktop and android (tests/functional/setup_page.spec.ts).
     */
    const elsewhere = ['clinic.', 'sync_centre.', 'setup.']
    const servedHere = (name: string) => !elsewhere.some((prefix) => name.startsWith(prefix))
    assert.deepEqual(
      Object.keys(ROUTE_POLICIES).filter((name) => servedHere(name) && !names.has(name)),
      []
    )
  })

  test('each route answers each role and anonymous as its policy says', async ({ assert }) => {
    const everyone = await callers()
    const wrong: string[] = []
    for (const route of routeTable()) {
      const permission = permissionFor(route.name, SAMPLE_PARAMS)
      for (const caller of everyone) {
        const response = await fetch(`${base}${urlOf(route.pattern, SAMPLE_PARAMS)}`, {
          method: route.method,
          headers: {
            'content-type': 'application/json',
            ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
          },
          body: ['POST', 'PUT', 'PATCH'].includes(route.method) ? '{}' : undefined,
        })
        await response.arrayBuffer()
        const expected =
          permission === 'public'
            ? 'allowed'
            : !caller.principal
              ? 401
              : holds(caller.principal, PERMISSIONS[permission!])
                ? 'allowed'
                : 403
        const actual = [401, 403].includes(response.status) ? response.status : 'allowed'
        if (actual !== expected) {
          wrong.push(
            `${route.method} ${route.pattern} as ${caller.name}: ${response.status}, expected ${expected}`
          )
        }
      }
    }
    assert.deepEqual(wrong, [])
  }).timeout(120_000)

  test('a clinician may not read the audit trail through FHIR', async ({ assert }) => {
    const everyone = await callers()
    const clinician = everyone.find((caller) => caller.name === 'clinician')!
    const response = await fetch(`${base}/fhir/AuditEvent`, {
      headers: { authorization: `Bearer ${clinician.token}` },
    })
    assert.equal(response.status, 403)
    const outcome = (await response.json()) as { resourceType: string }
    assert.equal(outcome.resourceType, 'OperationOutcome')
  })
})
