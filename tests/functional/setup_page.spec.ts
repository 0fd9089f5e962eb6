import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { ApiClientService } from '#services/api_client_service'
import { UserService } from '#services/user_service'
import { startNode, type NodeProcess } from '#tests/helpers/node_process'

const run = randomUUID().slice(0, 8)
const SECRET = `desktop-secret-${run}-0123456789abcdef`
const password = `First run ${run}`

/**
 * A page session through the shell's contract: every request carries the
 * secret and a loopback Host, cookies are kept, forms post their CSRF token.
 */
class ShellWindow {
  #cookies = new Map<string, string>()

  constructor(readonly base: string) {}

  async get(path: string) {
    return this.#send('GET', path)
  }

  /** Posts a page form the way the browser does, with the token of the page it was on. */
  async submit(formPage: string, path: string, fields: Record<string, string>) {
    const page = await this.get(formPage)
    const field = /<input[^>]*name=['"]_csrf['"][^>]*>/.exec(page.text)?.[0]
    const token = field && /value=['"]([^'"]+)['"]/.exec(field)?.[1]
    if (!token) {
      throw new Error(`no CSRF token on ${formPage} (${page.status})`)
    }
    return this.#send('POST', path, new URLSearchParams({ ...fields, _csrf: token }))
  }

  async #send(method: string, path: string, body?: URLSearchParams) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        'accept': 'text/html',
        'sdb-magic': SECRET,
        ...(body && { 'content-type': 'application/x-www-form-urlencoded' }),
        ...(this.#cookies.size > 0 && {
          cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        }),
      },
      body,
    })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair.indexOf('=')
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      text: await response.text(),
    }
  }
}

test.group('First run of a desktop shell', (group) => {
  let desktop: NodeProcess
  let adminToken: string
  const icdrUrl = `http://127.0.0.1:${process.env.PORT}`
  const username = `desk-nurse-${run}`

  group.setup(async () => {
    const clients = await app.container.make(ApiClientService)
    adminToken = await clients.register(`setup-admin-${run}`, ['admin'])
    const users = await app.container.make(UserService)
    await users.upsertLocal({ username, fullName: 'Halima Yusuf', password, roles: ['clinician'] })
    desktop = await startNode({ APP_ROLE: 'desktop', SHELL_SECRET_FD: '3' }, { fd3: SECRET })
    return () => desktop.stop().then(() => {})
  })

  async function newCode(name: string) {
    const response = await fetch(`${icdrUrl}/api/v1/devices`, {
      method: 'POST',
      headers: { 'authorization': `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${name}-${run}`, role: 'desktop', facilityIds: ['fac-desk'] }),
    })
    const created = (await response.json()) as { code: string }
    if (response.status !== 201) {
      throw new Error(JSON.stringify(created))
    }
    return created.code
  }

  test('a device that knows no iCDR sends people to set it up, and a wrong code is refused at the field', async ({
    assert,
  }) => {
    const window = new ShellWindow(desktop.url)
    const login = await window.get('/login')
    assert.equal(login.status, 200)
    assert.include(login.text, 'This device is not set up yet')
    assert.include(login.text, 'href="/setup"')

    const refused = await window.submit('/setup', '/setup', {
      icdrUrl,
      code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH',
    })
    assert.equal(refused.status, 302)
    const again = await window.get(refused.location!)
    assert.include(again.text, 'The iCDR refused the enrolment')
    assert.include(again.text, `value="${icdrUrl}"`, 'the address typed is kept')
    assert.include(again.text, 'id="field-code-error"')
  })

  test('an enrolment code from an administrator enrols it; people then log in online and the page is gone', async ({
    assert,
  }) => {
    const window = new ShellWindow(desktop.url)
    const code = await newCode('front-desk')
    const enrolled = await window.submit('/setup', '/setup', { icdrUrl, code })
    assert.equal(enrolled.status, 302)
    assert.equal(enrolled.location, '/login')
    const login = await window.get('/login')
    assert.include(login.text, `enrolled as front-desk-${run}`)
    assert.notInclude(login.text, 'This device is not set up yet')

    const gone = await window.get('/setup')
    assert.equal(gone.status, 302, 'an enrolled device cannot be enrolled again from a page')
    assert.equal(gone.location, '/login')

    const loggedIn = await window.submit('/login', '/login', { username, password })
    assert.equal(loggedIn.status, 302)
    let page = await window.get(loggedIn.location!)
    while (page.status === 302) {
      page = await window.get(page.location!)
    }
    assert.include(page.text, 'Logged in online')

    const refusedWithoutSecret = await fetch(`${desktop.url}/setup`)
    assert.equal(refusedWithoutSecret.status, 403)
  })
})
