import { writeSync } from 'node:fs'
import type { NamedReporterContract } from '@japa/runner/types'

/**
 * Ends every run with one plain line, `N passed, N failed`, that CI and
 * scripts read without parsing the spec reporter's layout.
 */
export const totalsReporter: NamedReporterContract = {
  name: 'totals',
  handler(runner, emitter) {
    emitter.on('runner:end', () => {
      const { passed, failed, skipped } = runner.getSummary().aggregates
      const tail = skipped > 0 ? `, ${skipped} skipped` : ''
      /*
       * Written at exit, synchronously, so that it follows the spec
       * reporter's summary and is not lost when stdout is a pipe.
       */
      process.once('exit', () => writeSync(1, `\n${passed} passed, ${failed} failed${tail}\n`))
    })
  },
}
