import { test } from '@japa/runner'
import { compareVersions } from '#rules_engine/pack_version'

test.group('Rule pack versions', () => {
  test('compare by semantic version precedence', ({ assert }) => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.2.0',
      '1.10.0',
      '2.0.0',
    ]
    for (let index = 1; index < ordered.length; index++) {
      assert.equal(
        compareVersions(ordered[index - 1], ordered[index]),
        -1,
        `${ordered[index - 1]} < ${ordered[index]}`
      )
      assert.equal(compareVersions(ordered[index], ordered[index - 1]), 1)
    }
  })

  test('build metadata does not count', ({ assert }) => {
    assert.equal(compareVersions('1.0.0+20261126', '1.0.0'), 0)
  })
})
