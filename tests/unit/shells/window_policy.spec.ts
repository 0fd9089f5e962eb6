import { test } from '@japa/runner'
import {
  CORE_CONTENT_SECURITY_POLICY,
  escapeHtml,
  headersWithPolicy,
  startProblemPage,
} from '#shells/content_policy'
import { quitAfterCoreStops } from '#shells/quit_guard'

const origin = 'http://127.0.0.1:40404'

test.group('Desktop shell: the content policy', () => {
  test('forbids inline scripts, plugins, framing and other origins', ({ assert }) => {
    const directives = CORE_CONTENT_SECURITY_POLICY.split('; ')
    assert.includeMembers(directives, [
      "default-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "connect-src 'self'",
    ])
    const scripts = directives.find((directive) => directive.startsWith('script-src'))!
    assert.notInclude(scripts, 'unsafe-inline')
    assert.notInclude(scripts, '*')
  })

  test("is added to the core's responses and kept beside the core's own policy", ({ assert }) => {
    const headers = headersWithPolicy(`${origin}/login`, origin, {
      'content-type': ['text/html'],
      'content-security-policy': ["img-src 'none'"],
    })
    assert.deepEqual(headers, {
      'content-type': ['text/html'],
      'Content-Security-Policy': ["img-src 'none'", CORE_CONTENT_SECURITY_POLICY],
    })
  })

  test('leaves responses of any other origin alone', ({ assert }) => {
    const headers = { 'content-type': ['text/html'] }
    assert.strictEqual(headersWithPolicy('http://localhost:40404/', origin, headers), headers)
  })
})

test.group('Desktop shell: the problem screen', () => {
  test('says what happened and where the log is, as plain escaped text', ({ assert }) => {
    const url = startProblemPage({
      summary: 'Outpost could not start its local service.',
      details: 'Outpost cannot start: set <script>alert(1)</script> & retry',
      logFile: '/home/amina/.config/Outpost/logs/core.log',
    })
    assert.match(url, /^data:text\/html;charset=utf-8,/)
    const html = decodeURIComponent(url.slice(url.indexOf(',') + 1))
    assert.include(html, 'Outpost could not start its local service.')
    assert.include(html, '/home/amina/.config/Outpost/logs/core.log')
    assert.include(html, 'set &lt;script&gt;alert(1)&lt;/script&gt; &amp; retry')
    assert.notInclude(html, '<script')
    assert.include(html, `content="default-src 'none'; style-src 'unsafe-inline'"`)
  })

  test('escapes every character that could open markup', ({ assert }) => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;'
    )
  })
})

test.group('Desktop shell: quitting', () => {
  test('the first quit waits for the core to stop, then quits once', async ({ assert }) => {
    const events: string[] = []
    let release!: () => void
    const stopping = new Promise<void>((resolve) => (release = resolve))
    let quitted!: () => void
    const quit = new Promise<void>((resolve) => (quitted = resolve))
    const beforeQuit = quitAfterCoreStops({
      stopCore: async () => {
        events.push('stop core')
        await stopping
        events.push('core stopped')
      },
      quit: () => {
        events.push('quit')
        quitted()
      },
    })
    beforeQuit({ preventDefault: () => events.push('held') })
    beforeQuit({ preventDefault: () => events.push('held again') })
    release()
    await quit
    /* Electron sends before-quit again for the real quit: it passes through. */
    beforeQuit({ preventDefault: () => events.push('held after the core stopped') })
    assert.deepEqual(events, ['held', 'stop core', 'held again', 'core stopped', 'quit'])
  })

  test('a core that fails to stop does not keep the app from quitting', async ({ assert }) => {
    const quit = await new Promise<boolean>((resolve) => {
      quitAfterCoreStops({
        stopCore: () => Promise.reject(new Error('already gone')),
        quit: () => resolve(true),
      })({ preventDefault: () => {} })
    })
    assert.isTrue(quit)
  })
})
