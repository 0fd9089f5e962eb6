import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Assert } from '@japa/assert'
import type { FhirNode } from '#tests/helpers/fhir_nodes'

export interface FhirResponse {
  status: number
  headers: Headers
  text: string
  json: any
}

/** A plain HTTP client for one node's FHIR base, as a LAN system would call it. */
export function fhirClient(node: FhirNode) {
  return async function request(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}
  ): Promise<FhirResponse> {
    const headers: Record<string, string> = { accept: 'application/fhir+json', ...options.headers }
    const token = options.token === undefined ? node.token : options.token
    if (token) {
      headers.authorization = `Bearer ${token}`
    }
    let body: string | undefined
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
      headers['content-type'] ??= 'application/fhir+json'
    }
    const response = await fetch(`${node.base}${path}`, { method, headers, body })
    const text = await response.text()
    let json: any
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  }
}

export type FhirRequest = ReturnType<typeof fhirClient>

/** An example from the shared corpus, given a fresh id so tests never collide. */
export function corpusResource(file: string, id: string = randomUUID()): any {
  const text = readFileSync(join(process.cwd(), '..', 'shared', 'corpora', 'fhir-r4', file), 'utf8')
  return { ...JSON.parse(text), id }
}

export function corpusText(file: string): string {
  return readFileSync(join(process.cwd(), '..', 'shared', 'corpora', 'fhir-r4', file), 'utf8')
}

/** Asserts an OperationOutcome with the status, and an issue mentioning each expected text. */
export function assertOperationOutcome(
  assert: Assert,
  response: FhirResponse,
  status: number,
  expected: { code?: string; expression?: string; diagnostics?: RegExp } = {}
) {
  assert.equal(response.status, status, response.text)
  assert.equal(response.json?.resourceType, 'OperationOutcome', response.text)
  assert.notMatch(response.text, /\bat .*\.(ts|js):\d+/, 'no stack trace')
  const issues: any[] = response.json.issue
  if (expected.code) {
    assert.isTrue(
      issues.some((issue) => issue.code === expected.code),
      `an issue with code ${expected.code} in ${response.text}`
    )
  }
  if (expected.expression) {
    assert.isTrue(
      issues.some((issue) =>
        (issue.expression ?? []).some((path: string) => path.includes(expected.expression!))
      ),
      `an issue at ${expected.expression} in ${response.text}`
    )
  }
  if (expected.diagnostics) {
    assert.isTrue(
      issues.some((issue) => expected.diagnostics!.test(issue.diagnostics ?? '')),
      `an issue matching ${expected.diagnostics} in ${response.text}`
    )
  }
}

export function withoutMeta(resource: any) {
  const { meta, ...rest } = resource
  const kept = { ...meta }
  delete kept.versionId
  delete kept.lastUpdated
  return Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest
}
