import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { IcdrUnreachableError } from '#services/icdr_client'
import type { Progress } from '#sync/edge_sync'

const BAR_WIDTH = 30

/** A text progress bar: `pull [#########.....] 1200/3400`. */
export function progressBar({ phase, done, remaining }: Progress): string {
  const total = done + remaining
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH)
  return `${phase.padEnd(4)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total}`
}

export default class SyncRun extends BaseCommand {
  static commandName = 'sync:run'
  static description =
    "On an edge: push local changes to the iCDR, pull the iCDR's changes, and refresh offline credentials, with a progress bar"
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print one line per page instead of redrawing the bar' })
  declare plain: boolean

  async run() {
    const { SyncRunner } = await import('#sync/sync_runner')
    const runner = await this.app.container.make(SyncRunner)
    const redraw = !this.plain && process.stdout.isTTY
    try {
      const summary = await runner.run((progress) => {
        const line = progressBar(progress)
        if (redraw) {
          process.stdout.write(`\r${line}`)
        } else {
          this.logger.log(line)
        }
      })
      if (redraw) {
        process.stdout.write('\n')
      }
      const { push, pull, credentials } = summary
      this.logger.success(
        `pushed ${push.sent} change(s): ${push.accepted} accepted, ${push.conflicts} conflict(s), ${push.rejected} rejected; ` +
          `pulled ${pull.applied} change(s) in ${pull.pages} page(s) (${pull.held} held for our own changes), checkpoint ${pull.checkpoint}; ` +
          `${credentials.dropped} stale offline credential(s) dropped`
      )
      if (push.conflicts + push.rejected > 0) {
        this.logger.warning('conflicts and rejected changes wait in the sync centre')
      }
    } catch (error) {
      if (redraw) {
        process.stdout.write('\n')
      }
      const message =
        error instanceof IcdrUnreachableError
          ? `${error.message}; working offline`
          : (error as Error).message
      this.logger.error(message)
      this.exitCode = 1
    }
  }
}
