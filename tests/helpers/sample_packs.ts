import type { RulePack } from '#rules_engine/pack_types'

/**
 * A small business pack refusing Patients with one family name, with a test
 * case that passes: what the page tests author, publish and roll out.
 */
export function familyMarkerPack(id: string, version: string, family: string): RulePack {
  return {
    id,
    version,
    kind: 'business',
    title: `Refuses the family name ${family}`,
    publisher: 'Outpost page tests',
    status: 'draft',
    requires: '>=0.1.0',
    triggers: [{ resourceTypes: ['Patient'], events: ['beforeSave'] }],
    facts: ['resource'],
    rules: [
      {
        name: 'marker-family-refused',
        conditions: {
          all: [{ fact: 'resource', path: '$.name[0].family', operator: 'equal', value: family }],
        },
        event: {
          type: 'reject',
          params: { message: 'This family name is refused', path: 'Patient.name' },
        },
      },
    ],
    tests: [
      {
        name: 'the marked family name is refused',
        given: { resource: { resourceType: 'Patient', name: [{ family }] } },
        expect: { actions: [{ type: 'reject', rule: 'marker-family-refused' }] },
      },
      {
        name: 'another family name is saved',
        given: { resource: { resourceType: 'Patient', name: [{ family: `Not${family}` }] } },
        expect: { none: true },
      },
    ],
  }
}
