import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { Engine } from 'json-rules-engine'
import { RulePackError } from '#rules_engine/pack_errors'
import { RULE_PACK_SCHEMA_ID, RULE_PACK_SCHEMA_PATH } from '#rules_engine/pack_schema'
import { PackLoader, packKey, type DataRow, type RulePack } from '#rules_engine/pack_loader'

/** The fact ids docs/rule-packs.md promises the engine provides. */
const DOCUMENTED_FACTS = [
  'resource',
  'patient',
  'eventDate',
  'today',
  'ageDays',
  'ageMonths',
  'ageBand',
  'birthDatePrecision',
  'immunizationHistory',
  'latestObservation',
  'identifierDuplicates',
  'count',
  'scheduleStatus',
]
const EXAMPLE = join(process.cwd(), 'tests', 'fixtures', 'rule_packs', 'weight_for_age_dq.json')

const loader = new PackLoader({ facts: DOCUMENTED_FACTS, operators: ['sameDayOrAfter'] })

/** A small valid pack; each test breaks one thing. */
function pack(): Record<string, any> {
  return {
    id: 'registration-business',
    version: '1.2.0',
    kind: 'business',
    title: 'Registration',
    publisher: 'Ministry of Health',
    status: 'draft',
    requires: '>=0.1.0',
    triggers: [{ resourceTypes: ['Patient'], events: ['beforeSave'] }],
    facts: ['resource', 'ageDays'],
    data: { limits: [{ maxAgeDays: 54786 }] },
    rules: [
      {
        name: 'birth-date-required',
        priority: 10,
        conditions: {
          all: [{ fact: 'resource', path: '$.birthDate', operator: 'equal', value: null }],
        },
        event: { type: 'reject', params: { message: 'Enter a birth date or an estimate.' } },
      },
    ],
    tests: [
      {
        name: 'a patient without a birth date is refused',
        given: { resource: { resourceType: 'Patient' } },
        expect: { actions: [{ type: 'reject', rule: 'birth-date-required' }] },
      },
    ],
  }
}

function refusal(text: string, using = loader): RulePackError {
  try {
    using.load(text)
  } catch (error) {
    if (error instanceof RulePackError) {
      return error
    }
    throw error
  }
  throw new Error('expected the pack to be refused')
}

const refused = (document: unknown) => refusal(JSON.stringify(document))
const pathsOf = (error: RulePackError) => error.problems.map((problem) => problem.path)

test.group('Rule pack loading', () => {
  test('loads a valid pack and names it id@version', ({ assert }) => {
    const loaded = loader.load(JSON.stringify(pack()))
    assert.equal(packKey(loaded), 'registration-business@1.2.0')
    assert.equal(loaded.rules[0].event.type, 'reject')
  })

  test('loads the worked example of docs/rule-packs.md, which the page quotes unchanged', async ({
    assert,
  }) => {
    const example = await loader.loadFile(EXAMPLE)
    assert.equal(packKey(example), 'weight-for-age-dq@1.0.0')
    assert.lengthOf(example.tests ?? [], 5)

    const page = await readFile(join(process.cwd(), 'docs', 'rule-packs.md'), 'utf8')
    const quoted = page.split('<!-- example: ')[1].split('```json\n')[1].split('\n```')[0]
    assert.deepEqual(JSON.parse(quoted), JSON.parse(await readFile(EXAMPLE, 'utf8')))
  })

  test('publishes the schema under its stable id', async ({ assert }) => {
    const schema = JSON.parse(await readFile(RULE_PACK_SCHEMA_PATH, 'utf8'))
    assert.equal(schema.$id, RULE_PACK_SCHEMA_ID)
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema')
  })

  test('runs the worked example in json-rules-engine as its own tests expect', async ({
    assert,
  }) => {
    const example = await loader.loadFile(EXAMPLE)
    for (const { name, given, expect } of example.tests ?? []) {
      const fired = await runExample(
        example,
        given.resource!,
        given.resources![0].birthDate as string
      )
      const expected = (expect.actions ?? []).map((action) => `${action.rule}:${action.type}`)
      assert.includeMembers(fired, expected, name)
      assert.equal(fired.length === 0, expect.none === true, name)
    }
  })

  test('refuses text that is not JSON', ({ assert }) => {
    const error = refusal('{"id": "x",')
    assert.equal(error.code, 'E_PACK_JSON')
    assert.deepEqual(pathsOf(error), [''])
  })

  test('reports every schema violation with its path', ({ assert }) => {
    const document = pack()
    delete document.id
    document.version = '1.2'
    document.rules[0].event.type = 'notify'
    document.colour = 'blue'
    const error = refused(document)
    assert.equal(error.code, 'E_PACK_SCHEMA')
    assert.equal(error.status, 422)
    assert.includeMembers(pathsOf(error), ['/id', '/version', '/rules/0/event/type', '/colour'])
  })

  test('refuses a fact test written as the root of a rule or with a misspelt key', ({ assert }) => {
    const document = pack()
    document.rules[0].conditions = { fact: 'resource', operator: 'equal', value: 1 }
    const bad = pack()
    bad.rules[0].conditions.all[0].operater = 'equal'
    assert.deepEqual(pathsOf(refused(document)), ['/rules/0/conditions'])
    assert.deepEqual(pathsOf(refused(bad)), ['/rules/0/conditions/all/0/operater'])
  })

  test('refuses a pack that names an unknown fact, with the path of the problem', ({ assert }) => {
    const document = pack()
    document.facts.push('bloodGroup')
    document.rules[0].conditions.all.push({ fact: 'patient', operator: 'equal', value: 1 })
    const error = refused(document)
    assert.equal(error.code, 'E_PACK_UNKNOWN_FACT')
    assert.deepEqual(pathsOf(error), ['/facts/2', '/rules/0/conditions/all/1/fact'])
    assert.include(error.problems[0].message, 'bloodGroup')
  })

  test('refuses an unknown operator and accepts decorated and registered ones', ({ assert }) => {
    const document = pack()
    const all = document.rules[0].conditions.all
    all.push({ fact: 'resource', path: '$.name', operator: 'isAbout', value: 1 })
    all.push({ fact: 'resource', path: '$.name', operator: 'not:sameDayOrAfter', value: 1 })
    all.push({ fact: 'resource', path: '$.name', operator: 'someFact:equal', value: 1 })
    all.push({ fact: 'resource', path: '$.name', operator: 'often:equal', value: 1 })
    const error = refused(document)
    assert.equal(error.code, 'E_PACK_UNKNOWN_OPERATOR')
    assert.deepEqual(pathsOf(error), [
      '/rules/0/conditions/all/1/operator',
      '/rules/0/conditions/all/4/operator',
    ])
  })

  test('refuses a rule that reads a data table the pack does not have', ({ assert }) => {
    const document = pack()
    document.rules[0].conditions.all[0].value = {
      fact: 'ageDays',
      params: { table: 'limit' },
      path: '$.max',
    }
    const error = refused(document)
    assert.equal(error.code, 'E_PACK_MISSING_DATA')
    assert.deepEqual(pathsOf(error), ['/rules/0/conditions/all/0/value/params/table'])
    assert.include(error.message, 'tables: limits')
  })

  test('refuses two rules with one name, and tests naming rules that do not exist', ({
    assert,
  }) => {
    const document = pack()
    document.rules.push(structuredClone(document.rules[0]))
    document.tests[0].expect.actions.push({ type: 'reject', rule: 'no-such-rule' })
    document.tests[0].expect.actions.push({ type: 'alert' })
    const error = refused(document)
    assert.deepEqual(
      error.problems.map(({ code, path }) => `${code} ${path}`),
      [
        'E_PACK_DUPLICATE_NAME /rules/1/name',
        'E_PACK_TEST_REFERENCE /tests/0/expect/actions/1/rule',
        'E_PACK_TEST_REFERENCE /tests/0/expect/actions/2/type',
      ]
    )
  })

  test('refuses shared conditions that reference each other in a cycle', ({ assert }) => {
    const document = pack()
    document.sharedConditions = { a: { condition: 'b' }, b: { any: [{ condition: 'a' }] } }
    document.rules[0].conditions = { condition: 'c' }
    const error = refused(document)
    assert.deepEqual(
      error.problems.map(({ code, path }) => `${code} ${path}`),
      [
        'E_PACK_CONDITION_CYCLE /sharedConditions/a',
        'E_PACK_UNKNOWN_CONDITION /rules/0/conditions/condition',
      ]
    )
  })

  test('refuses a reject on a pack that never runs before a save', ({ assert }) => {
    const document = pack()
    document.triggers[0].events = ['afterSave']
    const error = refused(document)
    assert.equal(error.code, 'E_PACK_TRIGGER_MISMATCH')
    assert.deepEqual(pathsOf(error), ['/rules/0/event/type'])
  })

  test('refuses a 5 MB pack by its size, before parsing it', async ({ assert, cleanup }) => {
    const document = pack()
    document.data.limits = Array.from({ length: 100_000 }, (_, i) => ({
      maxAgeDays: i,
      n: 'x'.repeat(40),
    }))
    const text = JSON.stringify(document)
    assert.isAbove(text.length, 5_000_000)
    assert.equal(refusal(text).code, 'E_PACK_TOO_LARGE')
    assert.equal(refusal(text).status, 413)

    const directory = await mkdtemp(join(tmpdir(), 'outpost-packs-'))
    cleanup(() => rm(directory, { recursive: true, force: true }))
    await writeFile(join(directory, 'big.json'), text)
    await assert.rejects(
      () => loader.loadFile(join(directory, 'big.json')),
      /limit of 2097152 bytes/
    )
  })

  test('refuses 10,000 levels of nested conditions without overflowing the stack', ({ assert }) => {
    const depth = 10_000
    const conditions = '{"all":['.repeat(depth) + ']}'.repeat(depth)
    const text = JSON.stringify(pack()).replace(
      /"conditions":\{.*?\]\}/,
      `"conditions":${conditions}`
    )
    const error = refusal(text)
    assert.equal(error.code, 'E_PACK_TOO_DEEP')
    // The 33rd container is the one refused: its pointer has 32 reference tokens.
    assert.match(pathsOf(error)[0], /^\/rules\/0\/conditions(\/all\/0)+\/all$/)
    assert.lengthOf(pathsOf(error)[0].split('/').slice(1), 32)
  })

  test('loads a folder of packs, reporting the bad one without losing the good', async ({
    assert,
    cleanup,
  }) => {
    const directory = await mkdtemp(join(tmpdir(), 'outpost-packs-'))
    cleanup(() => rm(directory, { recursive: true, force: true }))
    await mkdir(join(directory, 'registration-business'))
    await writeFile(join(directory, 'registration-business', 'pack.json'), JSON.stringify(pack()))
    await writeFile(join(directory, 'broken.json'), '{"id": "broken"')
    await mkdir(join(directory, 'notes'))
    await writeFile(join(directory, 'weight.json'), await readFile(EXAMPLE, 'utf8'))

    const { packs, failures } = await loader.loadDirectory(directory)
    assert.deepEqual(
      packs.map(({ pack: loaded }) => packKey(loaded)),
      ['registration-business@1.2.0', 'weight-for-age-dq@1.0.0']
    )
    assert.deepEqual(
      failures.map(({ code, source }) => [code, source]),
      [['E_PACK_JSON', join(directory, 'broken.json')]]
    )
  })
})

/**
 * Runs the example's rules in json-rules-engine with `resource` and `ageBand` computed the
 * way docs/rule-packs.md describes; returns `rule:type` of each rule that fired.
 */
async function runExample(example: RulePack, resource: any, birthDate: string) {
  const engine = new Engine([], { allowUndefinedFacts: false })
  for (const [name, condition] of Object.entries(example.sharedConditions ?? {})) {
    engine.setCondition(name, structuredClone(condition))
  }
  example.rules.forEach((rule) => engine.addRule(structuredClone(rule)))
  const ageDays = (Date.parse(resource.effectiveDateTime) - Date.parse(birthDate)) / 86_400_000
  const table: DataRow[] = example.data!.weightForAge
  const band = table.find(
    (row) => (row.fromAgeDays as number) <= ageDays && ageDays < (row.toAgeDays as number)
  )
  const { results } = await engine.run({ resource, ageBand: band ?? null })
  return results.map((result) => `${result.name}:${result.event?.type}`)
}
