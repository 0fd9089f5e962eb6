import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { FhirError, outcomeIssue } from '#interop/fhir/fhir_error'
import { FhirStore } from '#services/fhir_store'
import { SaveHooks, type SaveContext, type SaveStage } from '#services/save_hooks'
import { SavePipeline } from '#services/save_pipeline'
import { icdrOnMariaDb } from '#tests/helpers/fhir_nodes'
import { assertOperationOutcome, fhirClient } from '#tests/helpers/fhir_client'

function child(family = 'Hooked') {
  const resource = {
    resourceType: 'Patient',
    id: randomUUID(),
    name: [{ family, given: ['Zawadi'] }],
    gender: 'female',
    birthDate: '2025-06-01',
  }
  return { resource, body: { resource, preserved: structuredClone(resource) } }
}

test.group('Save pipeline', (group) => {
  let hooks: SaveHooks
  let pipeline: SavePipeline
  let store: FhirStore
  let disposers: Array<() => void> = []

  const hook = (stage: SaveStage, name: string, handle: (context: SaveContext) => unknown) => {
    disposers.push(
      hooks.register(stage, { name, handle: async (context) => void (await handle(context)) })
    )
  }

  group.setup(async () => {
    hooks = await app.container.make(SaveHooks)
    pipeline = await app.container.make(SavePipeline)
    store = await app.container.make(FhirStore)
  })
  group.each.teardown(() => {
    disposers.forEach((dispose) => dispose())
    disposers = []
  })

  test('runs validate, beforeSave, persist, afterSave and audit in that order', async ({
    assert,
  }) => {
    const seen: string[] = []
    hook('audit', 'audit', (context) => seen.push(`audit v${context.result?.versionId}`))
    hook('afterSave', 'cds', (context) => seen.push(`afterSave v${context.result?.versionId}`))
    hook('beforeSave', 'business rules', (context) =>
      seen.push(`beforeSave ${context.result ?? 'unsaved'}`)
    )
    hook('beforeSave', 'dq', () => seen.push('beforeSave second'))

    const { resource, body } = child()
    await pipeline.save({
      method: 'create',
      type: 'Patient',
      id: resource.id,
      body,
      source: 'form',
    })
    assert.deepEqual(seen, ['beforeSave unsaved', 'beforeSave second', 'afterSave v1', 'audit v1'])
  })

  test('a beforeSave hook can set values, and they are stored', async ({ assert }) => {
    hook('beforeSave', 'assign', (context) =>
      context.mutate((patient) => {
        patient.active = true
      })
    )
    const { resource, body } = child()
    const { result } = await pipeline.save({
      method: 'create',
      type: 'Patient',
      id: resource.id,
      body,
      source: 'hl7v2',
    })
    assert.isTrue(JSON.parse(result!.content!).active)
  })

  test('a value set by a hook is validated again', async ({ assert }) => {
    hook('beforeSave', 'bad assign', (context) =>
      context.mutate((patient) => {
        patient.gender = 'femme'
      })
    )
    const { resource, body } = child()
    await assert.rejects(
      () =>
        pipeline.save({ method: 'create', type: 'Patient', id: resource.id, body, source: 'form' }),
      /gender/
    )
    assert.isNull(await store.read('Patient', resource.id))
  })

  for (const stage of ['beforeSave', 'afterSave', 'audit'] as const) {
    test(`a failing ${stage} hook rolls the whole write back`, async ({ assert }) => {
      const sequenceBefore = await store.currentSequence()
      hook(stage, `broken ${stage}`, () => {
        throw new Error('disk on fire')
      })
      const { resource, body } = child()
      try {
        await pipeline.save({
          method: 'create',
          type: 'Patient',
          id: resource.id,
          body,
          source: 'sync',
        })
        assert.fail('the save should have failed')
      } catch (error) {
        assert.instanceOf(error, FhirError)
        assert.equal(error.status, 500)
        assert.include(
          error.message,
          `The ${stage} step "broken ${stage}" failed, so nothing was saved`
        )
      }
      assert.isNull(await store.read('Patient', resource.id))
      assert.equal(await store.currentSequence(), sequenceBefore)
      const versions = await db.from('fhir_resource_versions').where('id', resource.id)
      assert.lengthOf(versions, 0)
    })
  }

  test('a refusal from a hook reaches a FHIR client as 422 and nothing is stored', async ({
    assert,
  }) => {
    hook('beforeSave', 'registration-business/family-required', (context) => {
      if (context.resource.name?.[0]?.family === 'Refused') {
        throw FhirError.invalid([
          outcomeIssue(
            'business-rule',
            'A registration needs a real family name',
            'Patient.name[0].family'
          ),
        ])
      }
    })
    const fhir = fhirClient(await icdrOnMariaDb())
    const { resource } = child('Refused')
    const response = await fhir('PUT', `/Patient/${resource.id}`, { body: resource })
    assertOperationOutcome(assert, response, 422, {
      code: 'business-rule',
      expression: 'Patient.name[0].family',
      diagnostics: /real family name/,
    })
    assertOperationOutcome(assert, await fhir('GET', `/Patient/${resource.id}`), 404)
  })
})
