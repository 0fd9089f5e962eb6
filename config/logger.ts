import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, syncDestination, targets } from '@adonisjs/core/logger'

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: env.get('APP_NAME', `outpost-${env.get('APP_ROLE')}`),
      level: env.get('LOG_LEVEL', 'info'),
      desination: !app.inProduction ? await syncDestination() : undefined,
      /*
       * Secrets never reach a log line, whatever a caller passes in.
       */
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'secret',
          '*.secret',
          'headers.authorization',
          'req.headers.authorization',
          'req.headers["sdb-magic"]',
        ],
        censor: '[redacted]',
      },
      transport: {
        targets: [targets.file({ destination: 1 })],
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
