import { spawn } from 'node:child_process'
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'

/** Runs `node ace <args>` as an informatician would, with no setting at all. */
function ace(args: string[]) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['ace', ...args], {
      cwd: app.makePath(),
      env: { PATH: process.env.PATH, NO_COLOR: '1' },
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

test.group('Rule pack commands in a plain folder', (group) => {
  let folder: string
  group.setup(async () => {
    folder = await mkdtemp(join(tmpdir(), 'outpost-packs-'))
    const example = JSON.parse(
      await readFile(app.makePath('tests/fixtures/rule_packs/weight_for_age_dq.json'), 'utf8')
    )
    await mkdir(join(folder, 'good'))
    await writeFile(join(folder, 'good', 'pack.json'), JSON.stringify(example))
    const broken = structuredClone(example)
    broken.id = 'broken-expectations'
    broken.tests[1].expect = { none: true }
    await mkdir(join(folder, 'broken'))
    await writeFile(join(folder, 'broken', 'pack.json'), JSON.stringify(broken))
  })

  test('rules:test prints each case and the summary line, and fails when a case fails', async ({
    assert,
  }) => {
    const { code, output } = await ace(['rules:test', folder])
    assert.equal(code, 1, output)
    assert.include(
      output,
      'weight-for-age-dq@1.0.0 › 45 kg at nine months is flagged as implausible'
    )
    assert.include(output, 'expected no action, but issue from weight-implausible-for-age')
    assert.match(output, /^9 passed, 1 failed$/m)
  })

  test('rules:test passes on the shipped packs', async ({ assert }) => {
    const { code, output } = await ace(['rules:test', 'rules', 'protocols'])
    assert.equal(code, 0, output)
    assert.match(output, /^\d+ passed, 0 failed$/m)
  })

  test('rules:validate names each problem with its path', async ({ assert }) => {
    const bad = join(folder, 'bad.json')
    await writeFile(bad, JSON.stringify({ id: 'Not A Slug', version: '1', rules: [] }))
    const { code, output } = await ace(['rules:validate', bad])
    assert.equal(code, 1, output)
    assert.include(output, '/id')
    assert.include(output, '/version')
    assert.include(output, '0 valid, 1 invalid')
  })
})
