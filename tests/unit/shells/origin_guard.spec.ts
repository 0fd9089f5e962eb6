import { test } from '@japa/runner'
import {
  coreOrigin,
  headersWithSecret,
  isCoreUrl,
  mayNavigate,
  mayRequest,
  requestFilter,
  windowOpenDecision,
} from '#shells/origin_guard'
import { generateSecret, SECRET_BYTES } from '#shells/secret'

const origin = coreOrigin(43117)
const secret = 'the-secret-of-this-launch'

test.group('Desktop shell: the per-launch secret', () => {
  test('each launch gets a new 256-bit secret made of header-safe characters', ({ assert }) => {
    const secrets = new Set(Array.from({ length: 200 }, () => generateSecret()))
    assert.equal(secrets.size, 200)
    for (const value of secrets) {
      assert.match(value, /^[A-Za-z0-9_-]{43}$/)
      assert.equal(Buffer.from(value, 'base64url').length, SECRET_BYTES)
    }
  })
})

test.group('Desktop shell: the secret goes to the exact origin of the core only', () => {
  test('the core origin is the loopback address and port, nothing else', ({ assert }) => {
    assert.equal(origin, 'http://127.0.0.1:43117')
    assert.deepEqual(requestFilter(origin), { urls: ['http://127.0.0.1:43117/*'] })
  })

  test('requests to the core carry the secret', ({ assert }) => {
    for (const url of [`${origin}/`, `${origin}/login?next=%2F`, `${origin}/health#x`]) {
      assert.isTrue(isCoreUrl(url, origin), url)
      assert.deepEqual(headersWithSecret(url, origin, secret, { Accept: 'text/html' }), {
        'Accept': 'text/html',
        'SDB-Magic': secret,
      })
    }
  })

  test('look-alike URLs never get the secret', ({ assert }) => {
    const lookAlikes = [
      'http://localhost:43117/',
      'http://127.0.0.1:43118/',
      'http://127.0.0.1/',
      'https://127.0.0.1:43117/',
      'ws://127.0.0.1:43117/',
      'http://127.0.0.1.example.org:43117/',
      'http://127.0.0.1:43117@example.org/',
      'http://user:pass@127.0.0.1:43117/',
      'http://[::1]:43117/',
      'http://0x7f000001:43117.example.org/',
      'file:///etc/passwd',
      'data:text/html,hello',
      'not a url',
    ]
    for (const url of lookAlikes) {
      assert.isFalse(isCoreUrl(url, origin), url)
      assert.notProperty(headersWithSecret(url, origin, secret, {}), 'SDB-Magic', url)
    }
  })

  test('a secret header set by a page is removed for other origins and replaced for the core', ({
    assert,
  }) => {
    const forged = { 'sdb-magic': 'guessed', 'SDB-MAGIC': 'guessed', 'Accept': '*/*' }
    assert.deepEqual(headersWithSecret('http://example.org/', origin, secret, forged), {
      Accept: '*/*',
    })
    assert.deepEqual(headersWithSecret(`${origin}/x`, origin, secret, forged), {
      'Accept': '*/*',
      'SDB-Magic': secret,
    })
  })
})

test.group('Desktop shell: the window stays on the core', () => {
  test('navigation is allowed within the core origin only', ({ assert }) => {
    assert.isTrue(mayNavigate(`${origin}/patients/1`, origin))
    for (const url of ['https://example.org/', 'http://localhost:43117/', 'file:///tmp/x.html']) {
      assert.isFalse(mayNavigate(url, origin), url)
    }
  })

  test('no page may open a new window', ({ assert }) => {
    assert.deepEqual(windowOpenDecision(), { action: 'deny' })
  })

  test('requests leave for the core, or the data: URL of the problem screen, only', ({
    assert,
  }) => {
    assert.isTrue(mayRequest(`${origin}/css/app.css`, origin))
    assert.isTrue(mayRequest('data:text/html,problem', origin))
    for (const url of ['https://cdn.example.org/lib.js', 'http://127.0.0.1:9/', 'ftp://x/']) {
      assert.isFalse(mayRequest(url, origin), url)
    }
  })
})
