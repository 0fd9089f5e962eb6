import { test } from '@japa/runner'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recordCore, stopStaleCore } from '#shells/stale_core'

/** A process that looks like a core left behind: `bin/server.js` serving a given store. */
async function leftBehind(dir: string, sqlitePath: string) {
  await mkdir(join(dir, 'bin'), { recursive: true })
  await writeFile(join(dir, 'bin', 'server.js'), 'setInterval(() => {}, 1000)\n')
  const child = spawn(process.execPath, [join(dir, 'bin', 'server.js')], {
    env: { SQLITE_PATH: sqlitePath },
    stdio: 'ignore',
  })
  await new Promise((resolve) => child.once('spawn', resolve))
  return child
}

function exitOf(child: ChildProcess) {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.signalCode ?? child.exitCode)
      : child.once('exit', (code, signal) => resolve(signal ?? code))
  )
}

test.group('Desktop shell: a core left behind by a killed shell', () => {
  test('is stopped before a new core opens the same store', async ({ assert }) => {
    const dir = await mkdtemp(join(tmpdir(), 'outpost-stale-'))
    const sqlitePath = join(dir, 'desktop.sqlite')
    const core = await leftBehind(dir, sqlitePath)
    const pidFile = join(dir, 'core.pid')
    await recordCore(pidFile, core.pid!)

    assert.equal(await stopStaleCore(pidFile, sqlitePath), 'stopped')
    assert.equal(await exitOf(core), 'SIGTERM')
    assert.isFalse(existsSync(pidFile))
  }).skip(process.platform !== 'linux', 'reads /proc')

  test('a pid now used by another program is left alone', async ({ assert }) => {
    const dir = await mkdtemp(join(tmpdir(), 'outpost-stale-'))
    const other = await leftBehind(dir, join(dir, 'another-folder.sqlite'))
    const pidFile = join(dir, 'core.pid')
    await recordCore(pidFile, other.pid!)
    try {
      assert.equal(await stopStaleCore(pidFile, join(dir, 'desktop.sqlite')), 'not ours')
      assert.isNull(other.exitCode)
      assert.isNull(other.signalCode)
      assert.isFalse(existsSync(pidFile))
    } finally {
      other.kill('SIGKILL')
    }
  }).skip(process.platform !== 'linux', 'reads /proc')

  test('no pid file, or the pid of a process that is gone, stops nothing', async ({ assert }) => {
    const dir = await mkdtemp(join(tmpdir(), 'outpost-stale-'))
    const pidFile = join(dir, 'core.pid')
    assert.equal(await stopStaleCore(pidFile, join(dir, 'desktop.sqlite')), 'none')
    const gone = await leftBehind(dir, join(dir, 'desktop.sqlite'))
    gone.kill('SIGKILL')
    await exitOf(gone)
    await recordCore(pidFile, gone.pid!)
    assert.equal(await stopStaleCore(pidFile, join(dir, 'desktop.sqlite')), 'gone')
    assert.isFalse(existsSync(pidFile))
  })
})
