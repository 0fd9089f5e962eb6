import { readFile, rm, writeFile } from 'node:fs/promises'

export type StaleCore = 'none' | 'gone' | 'stopped' | 'not ours'

/**
 * A core left running by a shell that was killed outright (no quit, so no
 * stop) still holds the store. Before a new core starts on the same data
 * folder, the previous one named in the pid file is stopped, but only once
 * /proc shows it really is a core serving this store: a pid reused by an
 * unrelated program is left alone. Where /proc does not exist (Windows),
 * nothing is stopped and the pid file is only replaced.
 */
export async function stopStaleCore(
  pidFile: string,
  sqlitePath: string,
  graceMs = 10_000
): Promise<StaleCore> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10)
  if (!Number.isInteger(pid) || pid <= 0) {
    return 'none'
  }
  if (!alive(pid)) {
    await rm(pidFile, { force: true })
    return 'gone'
  }
  if (!(await servesStore(pid, sqlitePath))) {
    await rm(pidFile, { force: true })
    return 'not ours'
  }
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (alive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL')
  }
  await rm(pidFile, { force: true })
  return 'stopped'
}

export function recordCore(pidFile: string, pid: number): Promise<void> {
  return writeFile(pidFile, `${pid}\n`, { mode: 0o600 })
}

async function servesStore(pid: number, sqlitePath: string): Promise<boolean> {
  try {
    const environment = await readFile(`/proc/${pid}/environ`, 'utf8')
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8')
    return (
      environment.split('\0').includes(`SQLITE_PATH=${sqlitePath}`) &&
      command.split('\0').some((arg) => arg.endsWith('server.js'))
    )
  } catch {
    return false
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}
