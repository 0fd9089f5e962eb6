import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { spec } from '@japa/runner/reporters'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import { prepareTestDatabases } from '#tests/helpers/databases'
import { totalsReporter } from '#tests/helpers/totals_reporter'
import { stopSharedNodes } from '#tests/helpers/fhir_nodes'

export const plugins: Config['plugins'] = [assert(), apiClient(), pluginAdonisJS(app)]

export const reporters: Config['reporters'] = {
  activated: ['spec', 'totals'],
  list: [spec(), totalsReporter],
}

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [() => prepareTestDatabases()],
  teardown: [() => stopSharedNodes()],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (['browser', 'functional', 'e2e'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start())
  }
}
