import type { CapabilityStatement } from '@medplum/fhirtypes'
import { SEARCH_PARAMETERS, type SearchParamDefinition } from '#interop/fhir/search_parameters'

const SEARCH_TYPE_NAMES = {
  token: 'token',
  string: 'string',
  date: 'date',
  reference: 'reference',
} as const satisfies Record<SearchParamDefinition['kind'], string>

const INTERACTIONS = [
  'read',
  'vread',
  'update',
  'delete',
  'history-instance',
  'history-type',
  'create',
  'search-type',
] as const

export interface CapabilityOptions {
  baseUrl: string
  software: { name: string; version: string }
  /** e.g. "Outpost gateway (dCDR Gateway)". */
  description: string
}

/**
 * The server's CapabilityStatement, derived from what the code supports: the
 * stored types, their search parameters and the interactions the routes serve.
 * Nothing here is written by hand, so it cannot drift from the server.
 * @see https://hl7.org/fhir/R4/capabilitystatement.html
 */
export function capabilityStatement(options: CapabilityOptions): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    publisher: 'Outpost',
    description: options.description,
    software: options.software,
    implementation: { description: options.description, url: options.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          description: 'Every interaction except metadata needs an OAuth-style bearer token',
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'OAuth',
                },
              ],
            },
          ],
        },
        resource: Object.entries(SEARCH_PARAMETERS).map(([type, parameters]) => ({
          type,
          versioning: 'versioned-update',
          readHistory: true,
          updateCreate: true,
          conditionalCreate: true,
          conditionalUpdate: false,
          conditionalDelete: 'not-supported',
          interaction: INTERACTIONS.map((code) => ({ code })),
          searchInclude: Object.entries(parameters as Record<string, SearchParamDefinition>)
            .filter(([, definition]) => definition.kind === 'reference')
            .map(([name]) => `${type}:${name}`),
          searchParam: Object.entries(parameters as Record<string, SearchParamDefinition>).map(
            ([name, definition]) => ({ name, type: SEARCH_TYPE_NAMES[definition.kind] })
          ),
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  } as CapabilityStatement
}
