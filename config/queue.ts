import env from '#start/env'
import { ROLE_PROFILES } from '#roles/role_profiles'
import type { QueueDriver } from '#queue/job_queue'
import type { BullMqSettings } from '#queue/bullmq_queue'
import type { OutboxSettings } from '#queue/outbox_queue'

const profile = ROLE_PROFILES[env.get('APP_ROLE')]

function driver(): QueueDriver {
  if (profile.queue === 'outbox') {
    return 'outbox'
  }
  return profile.queue === 'bullmq-or-inline' && env.get('REDIS_HOST') ? 'bullmq' : 'inline'
}

const queueConfig = {
  driver: driver(),
  bullmq: {
    connection: {
      host: env.get('REDIS_HOST', '127.0.0.1'),
      port: env.get('REDIS_PORT', 6379),
      password: env.get('REDIS_PASSWORD')?.release(),
    },
    prefix: env.get('QUEUE_PREFIX', 'outpost'),
    concurrency: 4,
  } satisfies BullMqSettings,
  outbox: { pollMs: 1000, batchSize: 20 } satisfies OutboxSettings,
}

export default queueConfig
