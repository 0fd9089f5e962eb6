/**
 * TypeScript shape of a rule pack, as rules/schema/rule-pack.schema.json defines it and
 * docs/rule-packs.md explains it. Rules and conditions are json-rules-engine's own format.
 * @see https://github.com/CacheControl/json-rules-engine/blob/master/docs/rules.md
 */

/** What a pack is for. */
export const PACK_KINDS = {
  business: 'rules a record must obey to be saved',
  dq: 'data-quality findings on saved data',
  cds: 'clinical decision support: proposals and alerts',
} as const
export type PackKind = keyof typeof PACK_KINDS

/** Lifecycle of a pack version. */
export const PACK_STATUSES = {
  draft: 'being written; never runs on patients',
  active: 'runs where it is assigned',
  retired: 'kept for provenance; no longer runs',
} as const
export type PackStatus = keyof typeof PACK_STATUSES

/** When a pack runs (DESIGN.md section 2, the save pipeline). */
export const TRIGGER_EVENTS = {
  beforeSave: 'before a write; may reject it or assign values',
  afterSave: 'after a write',
  chart: 'when a chart is opened',
  schedule: 'batch re-evaluation',
} as const
export type TriggerEvent = keyof typeof TRIGGER_EVENTS

/** The events a rule may fire: Outpost's actions. */
export const ACTION_TYPES = {
  reject: 'block the save',
  issue: 'record a data-quality finding (DetectedIssue)',
  assign: 'set an element of the resource being saved',
  propose: 'propose an immunization (ImmunizationRecommendation)',
  evaluate: 'record how the doses given count (ImmunizationEvaluation)',
  alert: 'show a message, acknowledgement tracked',
} as const
export type ActionType = keyof typeof ACTION_TYPES

/** Severities of an `issue` action (OperationOutcome's, without fatal). */
export const ISSUE_SEVERITIES = ['error', 'warning', 'information'] as const
export type PackIssueSeverity = (typeof ISSUE_SEVERITIES)[number]

/** A JSON value, as a pack can hold it. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Parameters of a fact provider; `table` names a table of the pack's `data`. */
export interface FactParams {
  table?: string
  [name: string]: JsonValue | undefined
}

/** `{ fact, params?, path? }`: a fact's value where a literal could be written. */
export interface FactRef {
  fact: string
  params?: FactParams
  path?: string
}

export interface PackTrigger {
  resourceTypes: string[]
  events: TriggerEvent[]
}

/** A row of a data table: column name to value. */
export type DataRow = Record<string, JsonValue>

interface ConditionLabel {
  name?: string
  priority?: number
}

export interface AllCondition extends ConditionLabel {
  all: PackCondition[]
}
export interface AnyCondition extends ConditionLabel {
  any: PackCondition[]
}
export interface NotCondition extends ConditionLabel {
  not: PackCondition
}
export interface ConditionReference extends ConditionLabel {
  condition: string
}
/** A test of one fact: `<fact + params + path> <operator> <value>`. */
export interface FactCondition extends ConditionLabel {
  fact: string
  operator: string
  value: JsonValue | FactRef
  path?: string
  params?: FactParams
}

/** What a rule's `conditions` root may be. */
export type TopLevelCondition = AllCondition | AnyCondition | NotCondition | ConditionReference
/** Any condition, nested or root. */
export type PackCondition = TopLevelCondition | FactCondition

export interface RejectParams {
  message: string
  path?: string
}
export interface IssueParams {
  severity: PackIssueSeverity
  code: string
  message: string
  path?: string
}
export type AssignParams =
  | { path: string; value: JsonValue; fromFact?: never }
  | { path: string; fromFact: FactRef; value?: never }
export interface Coding {
  system: string
  code: string
  display?: string
}
export interface ProposeParams {
  vaccineCode?: Coding | FactRef
  series?: string
  table?: string
  doseNumber?: number | FactRef
  earliestDate?: string | FactRef
  dueDate: string | FactRef
  overdueDate?: string | FactRef
  message: string
}
export interface EvaluateParams {
  vaccineGroup: string
  doses: FactRef
  message: string
}
export interface AlertParams {
  message: string
  acknowledge: boolean
}

/** A rule's event: one of the actions with its params. */
export type PackAction =
  | { type: 'reject'; params: RejectParams }
  | { type: 'issue'; params: IssueParams }
  | { type: 'assign'; params: AssignParams }
  | { type: 'propose'; params: ProposeParams }
  | { type: 'evaluate'; params: EvaluateParams }
  | { type: 'alert'; params: AlertParams }

/** A json-rules-engine rule whose event is an action; assignable to its `RuleProperties`. */
export interface PackRule {
  name: string
  description?: string
  priority?: number
  conditions: TopLevelCondition
  event: PackAction
}

/** A resource as tests give it. */
export interface TestResource {
  resourceType: string
  [element: string]: JsonValue
}

export interface ExpectedAction {
  type: ActionType
  rule?: string
  params?: Record<string, JsonValue>
}

export interface PackTest {
  name: string
  given: {
    resource?: TestResource
    resources?: TestResource[]
    facts?: Record<string, JsonValue>
    asOf?: string
  }
  expect: { actions?: ExpectedAction[]; none?: boolean }
}

/** A rule pack document that passed the loader. */
export interface RulePack {
  $schema?: string
  id: string
  version: string
  kind: PackKind
  title: string
  description?: string
  publisher: string
  status: PackStatus
  requires: string
  triggers: PackTrigger[]
  facts: string[]
  data?: Record<string, DataRow[]>
  sharedConditions?: Record<string, TopLevelCondition>
  rules: PackRule[]
  tests?: PackTest[]
}

/** `id@version`: how provenance, caches and the OTA repository name one pack version. */
export function packKey(pack: Pick<RulePack, 'id' | 'version'>): string {
  return `${pack.id}@${pack.version}`
}
