/**
 * The push exchange between an edge and the iCDR (docs/sync.md). An item is
 * one local change: the resource as the edge stored it, the iCDR version it
 * was made on (0 for a new resource) and a key the edge made when it wrote
 * the change, which makes retries safe.
 */
export interface PushItem {
  key: string
  type: string
  id: string
  method: 'create' | 'update' | 'delete'
  baseVersion: number
  /** The resource's JSON text as the edge stored it (decimals as written); null for a delete. */
  content: string | null
  /** The iCDR conflict this change settles (keep mine, or a merge). */
  resolves?: number | null
  resolution?: 'mine' | 'merge'
}

export interface PushIssue {
  severity: string
  code: string
  message: string
  path?: string
}

export type PushAnswer =
  | {
      key: string
      status: 'accepted'
      versionId: number
      lastUpdated: string
      deleted: boolean
      /** The stored JSON text, which the edge keeps as its copy; null after a delete. */
      content: string | null
    }
  | {
      key: string
      status: 'conflict'
      conflictId: number
      serverVersion: number
      /** The iCDR's current version (JSON text), null when it is deleted. */
      theirs: string | null
    }
  | { key: string; status: 'rejected'; issues: PushIssue[] }

/** Items per push request: small enough for a slow link, large enough to catch up quickly. */
export const MAX_PUSH_ITEMS = 200
