import { test } from '@japa/runner'
import { jsonPositions, positionInParseError, positionOf } from '#rules_engine/json_positions'

const text = `{
  "id": "demo",
  "triggers": [
    { "resourceTypes": ["Patient", "Observation"], "events": ["beforeSave"] }
  ],
  "data": { "a/b": [1, 2.5, true, null] },
  "rules": [[], {"name": "x\\"y"}]
}`

test.group('Where JSON Pointers start in pack text', () => {
  test('properties are found at their names, array items at their first character', ({
    assert,
  }) => {
    const positions = jsonPositions(text)
    assert.deepEqual(positions.get(''), { line: 1, column: 1 })
    assert.deepEqual(positions.get('/id'), { line: 2, column: 3 })
    assert.deepEqual(positions.get('/triggers/0'), { line: 4, column: 5 })
    assert.deepEqual(positions.get('/triggers/0/resourceTypes/1'), { line: 4, column: 36 })
    assert.deepEqual(positions.get('/triggers/0/events/0'), { line: 4, column: 63 })
    assert.deepEqual(positions.get('/data/a~1b/3'), { line: 6, column: 35 })
    assert.deepEqual(positions.get('/rules/1/name'), { line: 7, column: 18 })
  })

  test('a missing property is placed where its nearest ancestor starts', ({ assert }) => {
    const positions = jsonPositions(text)
    assert.deepEqual(positionOf(positions, '/triggers/0/missing'), { line: 4, column: 5 })
    assert.deepEqual(positionOf(positions, '/nothing/here'), { line: 1, column: 1 })
    assert.isNull(positionOf(new Map(), '/x'))
  })

  test('malformed text yields what came before the fault', ({ assert }) => {
    const positions = jsonPositions('{\n  "id": "demo",\n  "kind": ')
    assert.deepEqual(positions.get('/id'), { line: 2, column: 3 })
    assert.isFalse(positions.has('/title'))
  })

  test('the line and column of a JSON.parse error are read from its message', ({ assert }) => {
    let message = ''
    try {
      JSON.parse('{\n  "id": "demo",\n  "kind" "dq"\n}')
    } catch (error) {
      message = (error as Error).message
    }
    assert.deepEqual(positionInParseError(message), { line: 3, column: 10 })
    assert.isNull(positionInParseError('no place given'))
  })
})
