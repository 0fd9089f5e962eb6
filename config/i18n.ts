import app from '@adonisjs/core/services/app'
import { defineConfig, formatters, loaders } from '@adonisjs/i18n'

/**
 * Every word the pages show comes from resources/lang/<locale>/<area>.json
 * (keys are prefixed by the file name: `clinic.chart.title`). English is
 * complete; French and Portuguese fall back to it key by key.
 */
const i18nConfig = defineConfig({
  defaultLocale: 'en',
  supportedLocales: ['en', 'fr', 'pt'],
  fallbackLocales: { fr: 'en', pt: 'en' },
  formatter: formatters.icu(),
  loaders: [loaders.fs({ location: app.languageFilesPath() })],
})

export default i18nConfig
