import { existsSync } from 'node:fs'
import type { ApplicationService } from '@adonisjs/core/types'
import { Database } from '@adonisjs/lucid/database'
import { PackRepository } from '#services/pack_repository'
import { RulesHooks } from '#services/rules_hooks'
import { SaveHooks } from '#services/save_hooks'
import type outpostConfig from '#config/outpost'

/**
 * Rule packs on every node that keeps a store: one pack repository (and
 * engine cache) per process, its hooks in the save pipeline, and the shipped
 * packs of `rules/` and `protocols/` imported when a node first serves.
 */
export default class RulesProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(
      PackRepository,
      async (resolver) => new PackRepository(await resolver.make(Database))
    )
  }

  async boot() {
    const { profile } = this.app.config.get<typeof outpostConfig>('outpost')
    if (profile.store === 'none') {
      return
    }
    const hooks = await this.app.container.make(SaveHooks)
    const rules = await this.app.container.make(RulesHooks)
    rules.register(hooks)
  }

  async start() {
    const { profile } = this.app.config.get<typeof outpostConfig>('outpost')
    const importShipped = this.app.config.get<boolean>('outpost.importShippedPacks')
    if (this.app.getEnvironment() !== 'web' || profile.store === 'none' || !importShipped) {
      return
    }
    const packs = await this.app.container.make(PackRepository)
    const logger = await this.app.container.make('logger')
    const folders = [this.app.makePath('rules'), this.app.makePath('protocols')]
    try {
      const { imported, failures } = await packs.importFolders(folders.filter((f) => existsSync(f)))
      if (imported.length > 0) {
        logger.info({ packs: imported }, 'imported shipped rule packs')
      }
      for (const failure of failures) {
        logger.error(
          { source: failure.source, problems: failure.problems },
          'a shipped rule pack does not load'
        )
      }
    } catch (error) {
      logger.error({ err: error }, 'shipped rule packs not imported: is the store migrated?')
    }
  }
}
