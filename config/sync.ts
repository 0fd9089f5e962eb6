import env from '#start/env'

/**
 * Sync of edges with their iCDR (docs/sync.md, DESIGN.md section 5).
 */
const syncConfig = {
  /** A scheduled sync this often; 0 syncs only on demand (`node ace sync:run`, the sync centre). */
  intervalMs: env.get('SYNC_INTERVAL_SECONDS', 60) * 1000,
  /** The first wait after a failed attempt; it doubles with each failure. */
  retryBaseMs: env.get('SYNC_RETRY_BASE_SECONDS', 30) * 1000,
  /** The longest wait between attempts while the iCDR cannot be reached. */
  maxBackoffMs: env.get('SYNC_MAX_BACKOFF_SECONDS', 15 * 60) * 1000,
}

export default syncConfig
