import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { AtnaError } from '#interop/atna/atna_error'
import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  AUDIT_SOURCE_TYPES,
  PARTICIPANT_OBJECT_ROLES,
  PARTICIPANT_OBJECT_TYPES,
  type ActiveParticipant,
  type AuditAction,
  type AuditCode,
  type AuditOutcome,
  type AuditSource,
  type AuditSourceType,
  type ParticipantObject,
  type ParticipantObjectRole,
  type ParticipantObjectType,
} from '#interop/atna/audit_record'
import { parseRfc3339 } from '#interop/atna/rfc3339'
import { decodeReferences, unsafeXmlReason } from '#interop/atna/xml_text'

/** An AuditMessage as read, before its EventID and type codes are matched to a kind. */
export interface AuditMessageContent {
  eventId: AuditCode
  eventTypeCodes: AuditCode[]
  action?: AuditAction
  outcome: AuditOutcome
  recordedAt: Date
  description?: string
  activeParticipants: ActiveParticipant[]
  source: AuditSource
  participantObjects: ParticipantObject[]
}

type XmlNode = Record<string, unknown>

/** Elements that may repeat or that we read; each is parsed as a list. */
const ELEMENTS = new Set([
  'AuditMessage',
  'EventIdentification',
  'EventID',
  'EventTypeCode',
  'EventOutcomeDescription',
  'ActiveParticipant',
  'RoleIDCode',
  'AuditSourceIdentification',
  'AuditSourceTypeCode',
  'ParticipantObjectIdentification',
  'ParticipantObjectIDTypeCode',
  'ParticipantObjectName',
  'ParticipantObjectQuery',
])

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  alwaysCreateTextNode: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  entityDecoder: {
    decode: decodeReferences,
    setExternalEntities: () => {},
    addInputEntities: () => {},
    reset: () => {},
    setXmlVersion: () => {},
  },
  isArray: (name) => ELEMENTS.has(name),
})

/**
 * Reads and checks an AuditMessage against the DICOM schema: the required elements and
 * attributes, their enumerations and cardinalities. Elements we do not model (MediaIdentifier,
 * ParticipantObjectDetail, ...) are allowed and skipped.
 * @throws AtnaError E_AUDIT_MESSAGE_INVALID
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.1
 */
export function readAuditMessage(xml: string): AuditMessageContent {
  const unsafe = unsafeXmlReason(xml)
  if (unsafe) {
    throw invalid(unsafe)
  }
  const wellFormed = XMLValidator.validate(xml)
  if (wellFormed !== true) {
    throw invalid(`not well-formed XML: ${wellFormed.err.msg} (line ${wellFormed.err.line})`)
  }
  const document = parser.parse(xml) as XmlNode
  const roots = Object.keys(document).filter((key) => !key.startsWith('#'))
  if (roots.length !== 1 || roots[0] !== 'AuditMessage') {
    throw invalid(`the root element is ${roots.join(', ') || 'missing'}, not AuditMessage`)
  }
  const message = one(document, 'AuditMessage')
  const identification = one(message, 'EventIdentification')
  const participants = children(message, 'ActiveParticipant')
  if (participants.length === 0) {
    throw invalid('an AuditMessage names at least one ActiveParticipant')
  }

  const content: AuditMessageContent = {
    eventId: coded(one(identification, 'EventID')),
    eventTypeCodes: children(identification, 'EventTypeCode').map(coded),
    outcome: Number(
      enumerated(identification, 'EventOutcomeIndicator', AUDIT_OUTCOMES)
    ) as AuditOutcome,
    recordedAt: dateTime(required(identification, 'EventDateTime')),
    activeParticipants: participants.map(activeParticipant),
    source: auditSource(one(message, 'AuditSourceIdentification')),
    participantObjects: children(message, 'ParticipantObjectIdentification').map(participantObject),
  }
  const action = optionalEnumerated(identification, 'EventActionCode', AUDIT_ACTIONS)
  if (action !== undefined) {
    content.action = action as AuditAction
  }
  const description = optionalOne(identification, 'EventOutcomeDescription')
  if (description) {
    content.description = text(description)
  }
  return content
}

function activeParticipant(node: XmlNode): ActiveParticipant {
  const requestor = required(node, 'UserIsRequestor')
  if (!['true', 'false', '1', '0'].includes(requestor)) {
    throw invalid(`UserIsRequestor "${requestor}" is not a boolean`)
  }
  const participant: ActiveParticipant = {
    userId: required(node, 'UserID'),
    isRequestor: requestor === 'true' || requestor === '1',
  }
  const userName = attribute(node, 'UserName')
  if (userName !== undefined) {
    participant.userName = userName
  }
  const roles = children(node, 'RoleIDCode').map(coded)
  if (roles.length > 0) {
    participant.roles = roles
  }
  const access = attribute(node, 'NetworkAccessPointID')
  if (access !== undefined) {
    participant.networkAccessPoint = access
  }
  return participant
}

function auditSource(node: XmlNode): AuditSource {
  const source: AuditSource = { auditSourceId: required(node, 'AuditSourceID') }
  const site = attribute(node, 'AuditEnterpriseSiteID')
  if (site !== undefined) {
    source.enterpriseSiteId = site
  }
  // Codes of other terminologies are allowed by the schema; only RFC 3881's digits are ours.
  const typeCode = children(node, 'AuditSourceTypeCode')
    .map((code) => attribute(code, 'csd-code'))
    .find((code) => code !== undefined && Object.hasOwn(AUDIT_SOURCE_TYPES, code))
  if (typeCode !== undefined) {
    source.typeCode = Number(typeCode) as AuditSourceType
  }
  return source
}

function participantObject(node: XmlNode): ParticipantObject {
  const object: ParticipantObject = {
    id: required(node, 'ParticipantObjectID'),
    idType: coded(one(node, 'ParticipantObjectIDTypeCode')),
  }
  const typeCode = optionalEnumerated(node, 'ParticipantObjectTypeCode', PARTICIPANT_OBJECT_TYPES)
  if (typeCode !== undefined) {
    object.typeCode = Number(typeCode) as ParticipantObjectType
  }
  const roleCode = optionalEnumerated(
    node,
    'ParticipantObjectTypeCodeRole',
    PARTICIPANT_OBJECT_ROLES
  )
  if (roleCode !== undefined) {
    object.roleCode = Number(roleCode) as ParticipantObjectRole
  }
  const name = optionalOne(node, 'ParticipantObjectName')
  const query = optionalOne(node, 'ParticipantObjectQuery')
  if (name && query) {
    throw invalid('a ParticipantObjectIdentification has a name or a query, not both')
  }
  if (name) {
    object.name = text(name)
  }
  if (query) {
    object.query = base64Text(text(query))
  }
  return object
}

function coded(node: XmlNode): AuditCode {
  return {
    code: required(node, 'csd-code'),
    system: required(node, 'codeSystemName'),
    display: required(node, 'originalText'),
  }
}

function dateTime(value: string): Date {
  const date = parseRfc3339(value)
  if (!date) {
    throw invalid(`EventDateTime "${value}" is not a valid date-time with a time zone`)
  }
  return date
}

function base64Text(value: string): string {
  const compact = value.replace(/\s+/g, '')
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw invalid('ParticipantObjectQuery is not base64')
  }
  return Buffer.from(compact, 'base64').toString('utf8')
}

/** An attribute whose value must be one of the keys of a code set. */
function enumerated(node: XmlNode, name: string, values: object): string {
  const value = required(node, name)
  if (!Object.hasOwn(values, value)) {
    throw invalid(`${name} "${value}" is not one of ${Object.keys(values).join(', ')}`)
  }
  return value
}

function optionalEnumerated(node: XmlNode, name: string, values: object): string | undefined {
  return attribute(node, name) === undefined ? undefined : enumerated(node, name, values)
}

function children(node: XmlNode, name: string): XmlNode[] {
  const value = node[name]
  if (value === undefined) {
    return []
  }
  return (value as unknown[]).map((child) =>
    typeof child === 'object' && child !== null ? (child as XmlNode) : { '#text': child }
  )
}

function one(node: XmlNode, name: string): XmlNode {
  const found = children(node, name)
  if (found.length !== 1) {
    throw invalid(`expected one ${name}, found ${found.length}`)
  }
  return found[0]
}

function optionalOne(node: XmlNode, name: string): XmlNode | undefined {
  const found = children(node, name)
  if (found.length > 1) {
    throw invalid(`expected at most one ${name}, found ${found.length}`)
  }
  return found[0]
}

function attribute(node: XmlNode, name: string): string | undefined {
  const value = node[`@${name}`]
  return typeof value === 'string' ? value : undefined
}

function required(node: XmlNode, name: string): string {
  const value = attribute(node, name)
  if (value === undefined) {
    throw invalid(`the ${name} attribute is required`)
  }
  return value
}

function text(node: XmlNode): string {
  const value = node['#text']
  return typeof value === 'string' ? value : ''
}

function invalid(message: string): AtnaError {
  return new AtnaError('E_AUDIT_MESSAGE_INVALID', message)
}
