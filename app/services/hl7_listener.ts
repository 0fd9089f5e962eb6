import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import type { Logger } from '@adonisjs/core/logger'
import { MllpServer } from '#interop/hl7v2/mllp_server'
import { Hl7InboundService } from '#services/hl7_inbound_service'
import type hl7Config from '#config/hl7'

/**
 * The gateway's MLLP listener: each connection's messages are handled in
 * order by the inbound service, which always answers an ACK (AA, AE or AR);
 * an unexpected failure is logged and answered AE rather than left silent.
 */
export class Hl7Listener {
  #server?: MllpServer

  constructor(protected logger: Logger) {}

  async start(): Promise<number | null> {
    const settings = app.config.get<typeof hl7Config>('hl7')
    if (settings.port === null) {
      return null
    }
    const { cert, key, ca } = settings.tls
    const server = new MllpServer({
      host: settings.host,
      port: settings.port,
      maxFrameBytes: settings.maxFrameBytes,
      maxConnections: settings.maxConnections,
      idleTimeoutMs: settings.idleTimeoutMs,
      ...(settings.allowFrom.length > 0 ? { allowList: settings.allowFrom } : {}),
      ...(cert && key
        ? {
            tls: {
              cert: readFileSync(cert),
              key: readFileSync(key),
              ...(ca ? { ca: readFileSync(ca), requestClientCert: true } : {}),
            },
          }
        : {}),
    })
    server.onMessage(async (message, meta) => {
      const inbound = await app.container.make(Hl7InboundService)
      return inbound.handle(message, meta)
    })
    server.onError((error, meta) => {
      this.logger.warn({ code: error.code, remote: meta?.remoteAddress }, error.message)
    })
    this.#server = server
    const port = await server.start()
    this.logger.info({ port, tls: Boolean(cert && key) }, 'HL7v2 MLLP listener started')
    return port
  }

  async stop() {
    await this.#server?.stop()
  }
}
