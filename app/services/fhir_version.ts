import { FhirError } from '#interop/fhir/fhir_error'
import { withTopLevel } from '#interop/fhir/fhir_json'
import { parseDateRange } from '#interop/fhir/search_dates'
import { parseReference } from '#interop/fhir/search_normalise'
import type { SearchableResource } from '#interop/fhir/search_parameters'

/** How a version came to be (the `method` column of `fhir_resource_versions`). */
export const WRITE_METHODS = {
  create: 'a new resource, or a deleted one created again',
  update: 'a new version of a resource; creates it when the id is new (update as create)',
  delete: 'marks the resource deleted; its history stays',
} as const

export type WriteMethod = keyof typeof WRITE_METHODS

/** The current version of a resource, as `FhirStore.read` gives it. */
export interface StoredResource {
  /** The JSON text as stored: serve it as it is, so decimals keep their text. */
  content: string
  versionId: number
  lastUpdated: string
  /** Deleted: `content` is then the last live version, `versionId` the delete's. */
  deleted: boolean
}

/** One version of a resource: vread, history and sync pulls. */
export interface StoredVersion {
  type: string
  id: string
  versionId: number
  lastUpdated: string
  deleted: boolean
  method: WriteMethod
  /** Null for a delete. */
  content: string | null
  /** Its change sequence number. */
  seq: number
}

export interface SaveInput {
  type: string
  id: string
  method: 'create' | 'update'
  /** `parseFhirJson(...).preserved`: what is stored. */
  preserved: unknown
  /** `parseFhirJson(...).resource`: what is indexed. */
  resource: SearchableResource
  /** `If-Match`: the version the client last saw. */
  expectedVersion?: number | null
  /** Written by rules (DetectedIssue, proposals): every node derives these itself, sync leaves them out. */
  derived?: boolean
  /** A version another node made (sync): stored under its own version id and time. */
  replica?: Replica
}

/**
 * A version as the node that made it numbered and timed it. Stored as is:
 * local versions from that number on are replaced, so an edge's copy of a
 * resource carries the iCDR's version ids.
 */
export interface Replica {
  versionId: number
  lastUpdated: string
}

export interface DeleteInput {
  type: string
  id: string
  method: 'delete'
  preserved?: unknown
  resource?: unknown
  expectedVersion?: number | null
  derived?: boolean
  replica?: Replica
}

export interface WriteResult {
  versionId: number
  lastUpdated: string
  /** The stored text, meta.versionId and meta.lastUpdated set. */
  content: string
  seq: number
  /** The id had no live version before (new, or deleted): HTTP answers 201. */
  created: boolean
}

export interface DeleteResult extends Omit<WriteResult, 'content' | 'created'> {
  content: null
  created: false
}

/**
 * A new version's stored text and indexable copy: id, meta.versionId and
 * meta.lastUpdated set, the rest of meta (profile, tag, security...) kept,
 * and the Patient compartment it belongs to.
 * https://hl7.org/fhir/R4/resource.html#Meta
 */
export function stampVersion(input: SaveInput, versionId: number, lastUpdated: string) {
  const { type, id, preserved, resource } = input
  if (resource.resourceType !== type) {
    throw FhirError.badRequest(`The body is a ${resource.resourceType}, not a ${type}`)
  }
  const identity = (source: unknown) => {
    const kept = Object.entries(asObject(asObject(source).meta)).filter(
      ([key]) => key !== 'versionId' && key !== 'lastUpdated'
    )
    return { id, meta: { versionId: String(versionId), lastUpdated, ...Object.fromEntries(kept) } }
  }
  const indexed = withTopLevel(resource, identity(resource)) as unknown as SearchableResource
  return {
    content: JSON.stringify(withTopLevel(preserved, identity(preserved))),
    resource: indexed,
    patientId: compartmentPatient(type, id, indexed),
  }
}

/**
 * The Patient whose compartment a resource is in, for sync subscriptions: a
 * Patient itself, or the local Patient its `patient` or `subject` refers to.
 * https://hl7.org/fhir/R4/compartmentdefinition-patient.html
 */
export function compartmentPatient(
  type: string,
  id: string,
  resource: SearchableResource
): string | null {
  if (type === 'Patient') {
    return id
  }
  for (const element of ['patient', 'subject']) {
    const reference = asObject(asObject(resource)[element]).reference
    const target = typeof reference === 'string' ? parseReference(reference) : null
    if (target?.form === 'relative' && target.type === 'Patient') {
      return target.id
    }
  }
  return null
}

/** A `fhir_resource_versions` row; MySQL returns bigints as strings and booleans as 0/1. */
export function toStoredVersion(row: Record<string, any>): StoredVersion {
  return {
    type: row.resource_type,
    id: row.id,
    versionId: Number(row.version_id),
    lastUpdated: isoInstant(row.last_updated),
    deleted: isTrue(row.deleted),
    method: row.method,
    content: row.content ?? null,
    seq: Number(row.seq),
  }
}

export function isTrue(value: unknown): boolean {
  return Boolean(Number(value))
}

export function isoInstant(millis: number | string): string {
  return new Date(Number(millis)).toISOString()
}

/** `_since` takes an instant; a date (`2024-05-01`) is read as its start. */
export function sinceMillis(since: string): number {
  const range = parseDateRange(since)
  if (!range) {
    throw FhirError.badRequest(`_since must be an instant, not "${since}"`, '_since')
  }
  return Date.parse(range.start)
}

/** A primary key violation: another writer claimed the same id first. */
export function isDuplicateKey(error: unknown): boolean {
  const { code, message } = asObject(error)
  return (
    code === 'ER_DUP_ENTRY' ||
    (code === 'SQLITE_CONSTRAINT' && String(message).includes('UNIQUE constraint failed'))
  )
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}
