import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import { QueueEvents } from 'bullmq'
import HousekeepingJob from '#jobs/housekeeping_job'
import { BaseJob } from '#queue/base_job'
import { BullMqQueue, type BullMqSettings } from '#queue/bullmq_queue'
import { InlineQueue } from '#queue/inline_queue'
import { JobRunner } from '#queue/job_runner'
import { OutboxQueue } from '#queue/outbox_queue'

const DAY = 24 * 3600 * 1000

/** A job that fails until it has been tried `failUntil` times. */
class FlakyJob extends BaseJob<{ key: string; failUntil: number }> {
  static queue = 'test-flaky'
  static attempts = 3
  static tries = new Map<string, number>()

  async handle(payload: { key: string; failUntil: number }) {
    const tries = (FlakyJob.tries.get(payload.key) ?? 0) + 1
    FlakyJob.tries.set(payload.key, tries)
    if (tries < payload.failUntil) {
      throw new Error(`try ${tries} fails`)
    }
    return tries
  }
}

async function seedOldJobRuns() {
  await db.from('job_runs').delete()
  await db.table('job_runs').multiInsert([
    { queue: 'old', job_id: randomUUID(), summary: null, finished_at: Date.now() - 40 * DAY },
    { queue: 'old', job_id: randomUUID(), summary: null, finished_at: Date.now() - 31 * DAY },
    { queue: 'recent', job_id: randomUUID(), summary: null, finished_at: Date.now() - DAY },
  ])
}

function bullSettings(): BullMqSettings {
  return {
    connection: { host: '127.0.0.1', port: 6379 },
    prefix: `outpost-test-${randomUUID().slice(0, 8)}`,
    concurrency: 2,
  }
}

async function waitFor(check: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('condition not met in time')
}

test.group('Jobs on BullMQ through real Redis', () => {
  test('a housekeeping job is processed by a worker and its effects commit once', async ({
    assert,
  }) => {
    await seedOldJobRuns()
    const settings = bullSettings()
    const queue = new BullMqQueue(settings, new JobRunner(app.container), logger)
    const events = new QueueEvents(HousekeepingJob.queue, {
      connection: settings.connection,
      prefix: settings.prefix,
    })
    try {
      await events.waitUntilReady()
      await queue.start([HousekeepingJob])
      const jobId = await queue.dispatch(HousekeepingJob, { retentionDays: 30 })
      const job = await queue.queueOf(HousekeepingJob).getJob(jobId)
      const summary = await job!.waitUntilFinished(events, 15_000)
      assert.deepEqual(summary, { jobRunsRemoved: 2, outboxRowsRemoved: 0 })

      const ledger = await db.from('job_runs').where({ queue: 'housekeeping', job_id: jobId })
      assert.lengthOf(ledger, 1)
      assert.lengthOf(await db.from('job_runs').where('queue', 'recent'), 1)
    } finally {
      await events.close()
      await queue.stop()
    }
  })

  test('a redelivered job is a no-op: the ledger remembers it', async ({ assert }) => {
    await seedOldJobRuns()
    const runner = new JobRunner(app.container)
    runner.register([HousekeepingJob])
    const context = { jobId: randomUUID(), attempt: 1 }
    const first = await runner.run('housekeeping', { retentionDays: 30 }, context)
    await db.table('job_runs').insert({
      queue: 'old',
      job_id: randomUUID(),
      finished_at: Date.now() - 90 * DAY,
    })
    const second = await runner.run(
      'housekeeping',
      { retentionDays: 30 },
      { ...context, attempt: 2 }
    )
    assert.deepEqual(second, first)
    assert.lengthOf(await db.from('job_runs').where('queue', 'old'), 1)
  })

  test('a failing job is retried until it succeeds', async ({ assert }) => {
    const settings = bullSettings()
    const queue = new BullMqQueue(settings, new JobRunner(app.container), logger)
    const events = new QueueEvents(FlakyJob.queue, {
      connection: settings.connection,
      prefix: settings.prefix,
    })
    try {
      await events.waitUntilReady()
      await queue.start([FlakyJob])
      const key = randomUUID()
      const jobId = await queue.dispatch(FlakyJob, { key, failUntil: 2 })
      const job = await queue.queueOf(FlakyJob).getJob(jobId)
      assert.equal(await job!.waitUntilFinished(events, 15_000), 2)
    } finally {
      await events.close()
      await queue.stop()
    }
  })

  test('a schedule set by two iCDR processes exists once', async ({ assert }) => {
    const settings = bullSettings()
    const first = new BullMqQueue(settings, new JobRunner(app.container), logger)
    const second = new BullMqQueue(settings, new JobRunner(app.container), logger)
    try {
      const schedule = { everyMs: 3_600_000, payload: { retentionDays: 30 } }
      await first.schedule(HousekeepingJob, schedule)
      await second.schedule(HousekeepingJob, schedule)
      const schedulers = await first.queueOf(HousekeepingJob).getJobSchedulers()
      assert.lengthOf(schedulers, 1)
      assert.equal(schedulers[0].every, 3_600_000)
    } finally {
      await first.queueOf(HousekeepingJob).obliterate({ force: true })
      await Promise.all([first.stop(), second.stop()])
    }
  })

  test('health says when Redis does not answer', async ({ assert }) => {
    const queue = new BullMqQueue(
      { ...bullSettings(), connection: { host: '127.0.0.1', port: 1 } },
      new JobRunner(app.container),
      logger
    )
    const down = await queue.health()
    assert.isFalse(down.healthy)
    assert.match(down.message, /redis unreachable/)
    await queue.stop()
    const reachable = new BullMqQueue(bullSettings(), new JobRunner(app.container), logger)
    const health = await reachable.health()
    assert.isTrue(health.healthy)
    await reachable.stop()
  })
})

test.group('Jobs without Redis: the inline driver', () => {
  test('runs a dispatched job in process, once per job id', async ({ assert }) => {
    await seedOldJobRuns()
    const queue = new InlineQueue(new JobRunner(app.container), logger)
    await queue.start([HousekeepingJob])
    const jobId = await queue.dispatch(HousekeepingJob, { retentionDays: 30 })
    await queue.dispatch(HousekeepingJob, { retentionDays: 30 }, { jobId })
    await queue.drain()
    assert.lengthOf(await db.from('job_runs').where({ queue: 'housekeeping', job_id: jobId }), 1)
    assert.lengthOf(await db.from('job_runs').where('queue', 'old'), 0)
    await queue.stop()
  })

  test('retries a failing job', async ({ assert }) => {
    const queue = new InlineQueue(new JobRunner(app.container), logger)
    await queue.start([FlakyJob])
    const key = randomUUID()
    await queue.dispatch(FlakyJob, { key, failUntil: 3 })
    await queue.drain()
    assert.equal(FlakyJob.tries.get(key), 3)
  })
})

test.group('Jobs on an edge: the durable SQLite outbox', (group) => {
  group.each.setup(async () => {
    await db.connection('sqlite').from('job_outbox').delete()
  })

  function outbox() {
    return new OutboxQueue(db.connection('sqlite') as any, new JobRunner(app.container), logger, {
      pollMs: 20,
      batchSize: 5,
    })
  }

  test('a job dispatched before a restart is processed after it', async ({ assert }) => {
    const before = outbox()
    const key = randomUUID()
    await before.dispatch(FlakyJob, { key, failUntil: 1 }, { jobId: key })
    await before.dispatch(FlakyJob, { key, failUntil: 1 }, { jobId: key })
    await before.stop()
    assert.isUndefined(FlakyJob.tries.get(key))

    const after = outbox()
    await after.start([FlakyJob])
    await waitFor(async () => FlakyJob.tries.get(key) === 1)
    await after.stop()
    const rows = await db.connection('sqlite').from('job_outbox').where('job_id', key)
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].status, 'done')
  })

  test('a job that keeps failing stays visible as failed with its error', async ({ assert }) => {
    const queue = outbox()
    const key = randomUUID()
    await queue.dispatch(FlakyJob, { key, failUntil: 99 }, { jobId: key })
    await queue.start([FlakyJob])
    await waitFor(async () => FlakyJob.tries.get(key) === 1)
    await db
      .connection('sqlite')
      .from('job_outbox')
      .where('job_id', key)
      .update({ available_at: 0 })
    await waitFor(async () => FlakyJob.tries.get(key) === 2)
    await db
      .connection('sqlite')
      .from('job_outbox')
      .where('job_id', key)
      .update({ available_at: 0 })
    await waitFor(async () => {
      const row = await db.connection('sqlite').from('job_outbox').where('job_id', key).first()
      return row.status === 'failed'
    })
    await queue.stop()
    const row = await db.connection('sqlite').from('job_outbox').where('job_id', key).first()
    assert.equal(row.attempts, 3)
    assert.equal(row.last_error, 'try 3 fails')
    const health = await queue.health()
    assert.match(health.message, /0 pending, 1 failed/)
  })
})
