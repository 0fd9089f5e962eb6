import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '@adonisjs/core/logger'
import app from '@adonisjs/core/services/app'
import { OtaError } from '#ota/ota_error'
import { OtaUpdater } from '#ota/tuf_updater'
import type otaConfig from '#config/ota'
import type outpostConfig from '#config/outpost'

/**
 * The edge's tuf-js client, starting from its pinned root. `node ace edge:enroll` pins
 * the root the iCDR handed over (docs/enrolment.md), which then takes precedence; an edge
 * not enrolled pins OTA_TRUSTED_ROOT at its first check, or fetches the repository's
 * first root and trusts it on first use (docs/ota.md). From then on only the verified
 * root chain replaces it.
 */
export async function openEdgeUpdater(
  settings: typeof otaConfig,
  logger: Logger
): Promise<OtaUpdater> {
  const metadataDir = join(settings.clientDir, 'metadata')
  if (!(await exists(join(metadataDir, 'root.json')))) {
    const root = settings.trustedRoot
      ? await readFile(settings.trustedRoot)
      : await firstRoot(settings, logger)
    await OtaUpdater.pinRoot(metadataDir, root)
  }
  const { role, version } = app.config.get<typeof outpostConfig>('outpost')
  return new OtaUpdater({
    metadataDir,
    targetDir: join(settings.clientDir, 'targets'),
    metadataBaseUrl: settings.metadataUrl!,
    targetBaseUrl: settings.targetsUrl!,
    maxTargetBytes: settings.maxTargetBytes,
    fetchTimeoutMs: settings.fetchTimeoutMs,
    userAgent: `outpost-${role}/${version}`,
  })
}

async function firstRoot(settings: typeof otaConfig, logger: Logger): Promise<Buffer> {
  const url = `${settings.metadataUrl}/1.root.json`
  logger.warn({ url }, 'no pinned TUF root: trusting the repository first root on first use')
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(settings.fetchTimeoutMs) })
  } catch (error) {
    throw new OtaError('E_OTA_UNREACHABLE', `${url} cannot be fetched`, { cause: error })
  }
  if (!response.ok) {
    throw new OtaError('E_OTA_UNREACHABLE', `${url} answered ${response.status}`)
  }
  const bytes = Buffer.from(await response.arrayBuffer())
  try {
    if (JSON.parse(bytes.toString('utf8'))?.signed?._type === 'root') {
      return bytes
    }
  } catch {}
  throw new OtaError('E_OTA_INVALID_METADATA', `${url} is not TUF root metadata`)
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
