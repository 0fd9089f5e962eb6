import { readFileSync } from 'node:fs'
import { test } from '@japa/runner'
import { RulePackError } from '#rules_engine/pack_errors'
import { platformPackLoader } from '#rules_engine/platform'
import { locate, nextPatch } from '#services/pack_editor'

const shipped = readFileSync('rules/registration-business/pack.json', 'utf8')

function problemsOf(text: string) {
  try {
    platformPackLoader().load(text)
    return []
  } catch (error) {
    if (error instanceof RulePackError) {
      return locate(text, error.problems)
    }
    throw error
  }
}

test.group('Pack editor problems', () => {
  test('a shipped pack has no problem', ({ assert }) => {
    assert.deepEqual(problemsOf(shipped), [])
  })

  test('a schema error is placed on the line of the faulty property', ({ assert }) => {
    const text = shipped.replace(/"kind": "[a-z]+"/, '"kind": "bogus"')
    const line = text.split('\n').findIndex((each) => each.includes('"bogus"')) + 1
    const [problem] = problemsOf(text)
    assert.include(problem, { code: 'E_PACK_SCHEMA', path: '/kind', line })
    assert.match(problem.message, /must be one of: business, dq, cds/)
    assert.equal(problem.column, text.split('\n')[line - 1].indexOf('"kind"') + 1)
  })

  test('an unknown property is placed at its own name', ({ assert }) => {
    const text = shipped.replace('"publisher":', '"publsher": "x",\n  "publisher":')
    const problems = problemsOf(text)
    const unknown = problems.find((each) => each.path === '/publsher')!
    assert.equal(unknown.line, text.split('\n').findIndex((each) => each.includes('publsher')) + 1)
  })

  test('a JSON syntax error is placed where the parser stopped', ({ assert }) => {
    const text = '{\n  "id": "x",\n  "kind" "dq"\n}'
    const [problem] = problemsOf(text)
    assert.include(problem, { code: 'E_PACK_JSON', line: 3, column: 10 })
  })

  test('a new draft of a published version takes the next patch version', ({ assert }) => {
    assert.equal(nextPatch('1.4.2'), '1.4.3')
    assert.equal(nextPatch('1.5.0-rc.1'), '1.5.0')
    assert.equal(nextPatch('2.0.9+build.7'), '2.0.10')
  })
})
