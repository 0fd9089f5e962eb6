import {
  dateEntries,
  referenceEntries,
  stringEntries,
  tokenEntries,
  valuesAt,
  type IndexEntry,
} from '#interop/fhir/search_index'

export type {
  DateIndexEntry,
  IndexEntry,
  ReferenceIndexEntry,
  StringIndexEntry,
  TokenIndexEntry,
} from '#interop/fhir/search_index'

/** The search parameter types Outpost supports (https://hl7.org/fhir/R4/search.html#ptypes). */
export const SEARCH_PARAM_KINDS = {
  token: 'a code, coding or identifier, matched as system|code',
  string: 'text, matched from its start with case and accents ignored',
  date: 'a date, dateTime, instant or Period, matched by the period it covers',
  reference: 'a literal reference to another resource',
} as const

export type SearchParamKind = keyof typeof SEARCH_PARAM_KINDS

/**
 * How one search parameter reads a resource. `paths` are dotted element paths
 * from the resource (choice types spelled out, as `effectiveDateTime`), the
 * subset of the FHIRPath expressions of the R4 SearchParameter definitions
 * that these parameters need.
 */
export type SearchParamDefinition =
  | {
      kind: 'token'
      paths: readonly string[]
      /** The code system a bare `code` element's required binding implies. */
      system?: string
    }
  | { kind: 'string'; paths: readonly string[] }
  | { kind: 'date'; paths: readonly string[] }
  | {
      kind: 'reference'
      paths: readonly string[]
      /** Resource types a reference may point at; `any` for `Reference(Any)`. */
      targets: readonly string[] | 'any'
      /** Index only references known to point at a target (`where(resolve() is Patient)`). */
      onlyTargets?: boolean
    }

const COMMON = {
  _id: { kind: 'token', paths: ['id'] },
  _lastUpdated: { kind: 'date', paths: ['meta.lastUpdated'] },
} as const

const IDENTIFIER = { kind: 'token', paths: ['identifier'] } as const
const HUMAN_NAME = {
  name: { kind: 'string', paths: ['name'] },
  family: { kind: 'string', paths: ['name.family'] },
  given: { kind: 'string', paths: ['name.given'] },
} as const
const PATIENT = { kind: 'reference', paths: ['patient'], targets: ['Patient'] } as const
const PATIENT_AS_SUBJECT = {
  kind: 'reference',
  paths: ['subject'],
  targets: ['Patient'],
  onlyTargets: true,
} as const

/**
 * The search parameters of each resource type Outpost stores, by the names
 * of the R4 specification (each type's "Search Parameters" table).
 */
export const SEARCH_PARAMETERS = {
  Patient: {
    ...COMMON,
    ...HUMAN_NAME,
    identifier: IDENTIFIER,
    birthdate: { kind: 'date', paths: ['birthDate'] },
    gender: {
      kind: 'token',
      paths: ['gender'],
      system: 'http://hl7.org/fhir/administrative-gender',
    },
    active: { kind: 'token', paths: ['active'] },
  },
  Practitioner: { ...COMMON, ...HUMAN_NAME, identifier: IDENTIFIER },
  Organization: {
    ...COMMON,
    identifier: IDENTIFIER,
    name: { kind: 'string', paths: ['name', 'alias'] },
  },
  Location: {
    ...COMMON,
    identifier: IDENTIFIER,
    name: { kind: 'string', paths: ['name', 'alias'] },
    organization: { kind: 'reference', paths: ['managingOrganization'], targets: ['Organization'] },
  },
  Immunization: {
    ...COMMON,
    'identifier': IDENTIFIER,
    'patient': PATIENT,
    // occurrenceString ("January 2012") is free text, not a date to search by.
    'date': { kind: 'date', paths: ['occurrenceDateTime'] },
    'vaccine-code': { kind: 'token', paths: ['vaccineCode'] },
    'status': { kind: 'token', paths: ['status'], system: 'http://hl7.org/fhir/event-status' },
  },
  Observation: {
    ...COMMON,
    identifier: IDENTIFIER,
    patient: PATIENT_AS_SUBJECT,
    subject: {
      kind: 'reference',
      paths: ['subject'],
      targets: ['Patient', 'Group', 'Device', 'Location'],
    },
    encounter: { kind: 'reference', paths: ['encounter'], targets: ['Encounter', 'EpisodeOfCare'] },
    date: { kind: 'date', paths: ['effectiveDateTime', 'effectivePeriod', 'effectiveInstant'] },
    code: { kind: 'token', paths: ['code'] },
    category: { kind: 'token', paths: ['category'] },
    status: { kind: 'token', paths: ['status'], system: 'http://hl7.org/fhir/observation-status' },
  },
  Encounter: {
    ...COMMON,
    identifier: IDENTIFIER,
    patient: PATIENT_AS_SUBJECT,
    subject: { kind: 'reference', paths: ['subject'], targets: ['Patient', 'Group'] },
    date: { kind: 'date', paths: ['period'] },
    status: { kind: 'token', paths: ['status'], system: 'http://hl7.org/fhir/encounter-status' },
    class: { kind: 'token', paths: ['class'] },
    type: { kind: 'token', paths: ['type'] },
  },
  Condition: {
    ...COMMON,
    'identifier': IDENTIFIER,
    'patient': PATIENT_AS_SUBJECT,
    'subject': { kind: 'reference', paths: ['subject'], targets: ['Patient', 'Group'] },
    'code': { kind: 'token', paths: ['code'] },
    'clinical-status': { kind: 'token', paths: ['clinicalStatus'] },
    'onset-date': { kind: 'date', paths: ['onsetDateTime', 'onsetPeriod'] },
  },
  ImmunizationEvaluation: {
    ...COMMON,
    'identifier': IDENTIFIER,
    'patient': PATIENT,
    'date': { kind: 'date', paths: ['date'] },
    'status': {
      kind: 'token',
      paths: ['status'],
      system: 'http://terminology.hl7.org/CodeSystem/medication-admin-status',
    },
    'target-disease': { kind: 'token', paths: ['targetDisease'] },
    'immunization-event': {
      kind: 'reference',
      paths: ['immunizationEvent'],
      targets: ['Immunization'],
    },
  },
  ImmunizationRecommendation: {
    ...COMMON,
    'identifier': IDENTIFIER,
    'patient': PATIENT,
    'date': { kind: 'date', paths: ['date'] },
    'vaccine-type': { kind: 'token', paths: ['recommendation.vaccineCode'] },
    'status': { kind: 'token', paths: ['recommendation.forecastStatus'] },
    'target-disease': { kind: 'token', paths: ['recommendation.targetDisease'] },
  },
  DetectedIssue: {
    ...COMMON,
    identifier: IDENTIFIER,
    patient: PATIENT,
    identified: { kind: 'date', paths: ['identifiedDateTime', 'identifiedPeriod'] },
    code: { kind: 'token', paths: ['code'] },
    implicated: { kind: 'reference', paths: ['implicated'], targets: 'any' },
  },
  Provenance: {
    ...COMMON,
    target: { kind: 'reference', paths: ['target'], targets: 'any' },
    patient: { kind: 'reference', paths: ['target'], targets: ['Patient'], onlyTargets: true },
    recorded: { kind: 'date', paths: ['recorded'] },
  },
  AuditEvent: {
    ...COMMON,
    date: { kind: 'date', paths: ['recorded'] },
    type: { kind: 'token', paths: ['type'] },
    subtype: { kind: 'token', paths: ['subtype'] },
    action: { kind: 'token', paths: ['action'], system: 'http://hl7.org/fhir/audit-event-action' },
    outcome: {
      kind: 'token',
      paths: ['outcome'],
      system: 'http://hl7.org/fhir/audit-event-outcome',
    },
    agent: {
      kind: 'reference',
      paths: ['agent.who'],
      targets: [
        'Practitioner',
        'PractitionerRole',
        'RelatedPerson',
        'Patient',
        'Device',
        'Organization',
      ],
    },
    entity: { kind: 'reference', paths: ['entity.what'], targets: 'any' },
    patient: {
      kind: 'reference',
      paths: ['agent.who', 'entity.what'],
      targets: ['Patient'],
      onlyTargets: true,
    },
  },
} as const satisfies Record<string, Record<string, SearchParamDefinition>>

export type SearchableType = keyof typeof SEARCH_PARAMETERS

/** The shape `extractIndexEntries` needs; any parsed FHIR resource JSON has it. */
export interface SearchableResource {
  resourceType: string
  id?: string
}

export function isSearchableType(type: string): type is SearchableType {
  return Object.hasOwn(SEARCH_PARAMETERS, type)
}

/**
 * The definition of one search parameter of a type, or `undefined` when the
 * type has no parameter of that name (own keys only: `constructor` is not one).
 */
export function searchParameter(
  type: SearchableType,
  name: string
): SearchParamDefinition | undefined {
  const parameters: Record<string, SearchParamDefinition> = SEARCH_PARAMETERS[type]
  return Object.hasOwn(parameters, name) ? parameters[name] : undefined
}

/**
 * The index rows of one resource version: every value each search parameter
 * of its type finds in it, deduplicated. A type Outpost does not search gets
 * none. https://hl7.org/fhir/R4/search.html#ptypes
 */
export function extractIndexEntries(resource: SearchableResource): IndexEntry[] {
  if (!isSearchableType(resource.resourceType)) {
    return []
  }
  const parameters: Record<string, SearchParamDefinition> = SEARCH_PARAMETERS[resource.resourceType]
  const entries = new Map<string, IndexEntry>()
  for (const [param, definition] of Object.entries(parameters)) {
    const values = definition.paths.flatMap((path) => valuesAt(resource, path))
    for (const entry of entriesOf(param, definition, values)) {
      entries.set(JSON.stringify(entry), entry)
    }
  }
  return [...entries.values()]
}

function entriesOf(param: string, definition: SearchParamDefinition, values: unknown[]) {
  switch (definition.kind) {
    case 'token':
      return tokenEntries(param, values, definition.system ?? null)
    case 'string':
      return stringEntries(param, values)
    case 'date':
      return dateEntries(param, values)
    case 'reference': {
      const onlyTypes =
        definition.onlyTargets && definition.targets !== 'any' ? definition.targets : null
      return referenceEntries(param, values, onlyTypes)
    }
    default:
      return definition satisfies never
  }
}
