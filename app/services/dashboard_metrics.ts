import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { RULE_IDENTIFIER_SYSTEM } from '#rules_engine/actions/detected_issue'
import { DeviceOverviewService } from '#services/device_overview'

const DAY_MS = 24 * 3600 * 1000
const CHUNK = 500

/** DetectedIssue severities, most serious first (R4 `detectedissue-severity`). */
export const ISSUE_SEVERITIES = ['high', 'moderate', 'low'] as const
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number]

export interface DeviceLag {
  device: string
  lagSeconds: number
  lastSyncAt: string | null
}

export interface PackFirings {
  pack: string
  total: number
  /** One count per day of `RuleFiringSeries.days`. */
  counts: number[]
}

export interface RuleFiringSeries {
  /** UTC dates, oldest first. */
  days: string[]
  packs: PackFirings[]
}

export interface FacilityIssues {
  /** `Organization/<id>` of the patients' managing organization; null when none is recorded. */
  facility: string | null
  name: string | null
  counts: Record<IssueSeverity, number>
  total: number
}

/**
 * The figures of the administration dashboard, read from what the iCDR stores:
 * how far behind each device is, how often each pack's rules produced an output
 * (a DQ finding written or changed, a proposal set refreshed, an alert raised), and
 * the open DQ findings of each facility's patients.
 */
@inject()
export class DashboardMetricsService {
  constructor(
    protected db: Database,
    protected devices: DeviceOverviewService
  ) {}

  /** Devices that have been enrolled or report, the most behind first. */
  async syncLag(now = Date.now()): Promise<DeviceLag[]> {
    const devices = await this.devices.list(now)
    return devices
      .filter((device) => device.syncLagSeconds !== null)
      .map((device) => ({
        device: device.name,
        lagSeconds: device.syncLagSeconds!,
        lastSyncAt: device.lastSyncAt,
      }))
      .sort((a, b) => b.lagSeconds - a.lagSeconds)
  }

  /**
   * Rule outputs per pack id and UTC day over the last `days` days, today included.
   * Re-evaluations that find the same thing write nothing, so they are not counted.
   */
  async ruleFirings(days = 14, now = Date.now()): Promise<RuleFiringSeries> {
    const today = Math.floor(now / DAY_MS) * DAY_MS
    const since = today - (days - 1) * DAY_MS
    const labels = Array.from({ length: days }, (_, index) =>
      new Date(since + index * DAY_MS).toISOString().slice(0, 10)
    )
    const counts = new Map<string, number[]>()
    const count = (pack: string | undefined, at: number) => {
      const day = Math.floor((at - since) / DAY_MS)
      if (!pack || day < 0 || day >= days) {
        return
      }
      const series = counts.get(pack) ?? new Array<number>(days).fill(0)
      series[day] += 1
      counts.set(pack, series)
    }

    const versions = await this.db
      .from('fhir_resource_versions')
      .whereIn('resource_type', ['DetectedIssue', 'ImmunizationRecommendation'])
      .where('last_updated', '>=', since)
      .where('deleted', false)
      .select('resource_type', 'content', 'last_updated')
    for (const row of versions) {
      const resource = JSON.parse(row.content)
      if (row.resource_type === 'DetectedIssue' && resource.status === 'cancelled') {
        continue
      }
      count(packOf(resource), Number(row.last_updated))
    }
    const alerts = await this.db
      .from('rule_alerts')
      .where('created_at', '>=', since)
      .select('pack_key', 'created_at')
    for (const row of alerts) {
      count(String(row.pack_key).split('@')[0], Number(row.created_at))
    }

    const packs = [...counts.entries()]
      .map(([pack, series]) => ({
        pack,
        counts: series,
        total: series.reduce((sum, value) => sum + value, 0),
      }))
      .sort((a, b) => b.total - a.total || a.pack.localeCompare(b.pack))
    return { days: labels, packs }
  }

  /** Open DQ findings by the managing organization of their patient, the most first. */
  async dqIssuesByFacility(): Promise<FacilityIssues[]> {
    const issues = await this.db
      .from('fhir_resources')
      .where('resource_type', 'DetectedIssue')
      .where('deleted', false)
      .select('content', 'patient_id')
    const open = issues
      .map((row) => ({ resource: JSON.parse(row.content), patientId: row.patient_id as string }))
      .filter(({ resource }) => !['cancelled', 'entered-in-error'].includes(resource.status))

    const facilities = await this.#facilitiesOf(
      open.map(({ patientId }) => patientId).filter(Boolean)
    )
    const groups = new Map<string | null, FacilityIssues>()
    for (const { resource, patientId } of open) {
      const facility = facilities.get(patientId) ?? null
      const group = groups.get(facility) ?? {
        facility,
        name: null,
        counts: { high: 0, moderate: 0, low: 0 },
        total: 0,
      }
      const severity: IssueSeverity = ISSUE_SEVERITIES.includes(resource.severity)
        ? resource.severity
        : 'moderate'
      group.counts[severity] += 1
      group.total += 1
      groups.set(facility, group)
    }
    const names = await this.#organizationNames(
      [...groups.keys()].filter((facility): facility is string => facility !== null)
    )
    return [...groups.values()]
      .map((group) => ({
        ...group,
        name: group.facility ? (names.get(group.facility) ?? null) : null,
      }))
      .sort((a, b) => b.total - a.total || String(a.facility).localeCompare(String(b.facility)))
  }

  /** Patient id to `Organization/<id>` of its managing organization. */
  async #facilitiesOf(patientIds: string[]) {
    const facilities = new Map<string, string>()
    for (const ids of chunks([...new Set(patientIds)])) {
      const rows = await this.db
        .from('fhir_resources')
        .where('resource_type', 'Patient')
        .whereIn('id', ids)
        .select('id', 'content')
      for (const row of rows) {
        const reference = JSON.parse(row.content).managingOrganization?.reference
        if (typeof reference === 'string' && reference.startsWith('Organization/')) {
          facilities.set(row.id, reference)
        }
      }
    }
    return facilities
  }

  async #organizationNames(references: string[]) {
    const names = new Map<string, string>()
    const ids = references.map((reference) => reference.slice('Organization/'.length))
    for (const group of chunks(ids)) {
      const rows = await this.db
        .from('fhir_resources')
        .where('resource_type', 'Organization')
        .whereIn('id', group)
        .select('id', 'content')
      for (const row of rows) {
        const name = JSON.parse(row.content).name
        if (typeof name === 'string') {
          names.set(`Organization/${row.id}`, name)
        }
      }
    }
    return names
  }
}

/** The pack id of a rule output, from its provenance identifier (`id@version[#rule]`). */
function packOf(resource: { identifier?: { system?: string; value?: string }[] }) {
  const value = resource.identifier?.find((id) => id.system === RULE_IDENTIFIER_SYSTEM)?.value
  return value?.split('@')[0]
}

function chunks<T>(items: T[]): T[][] {
  const groups: T[][] = []
  for (let start = 0; start < items.length; start += CHUNK) {
    groups.push(items.slice(start, start + CHUNK))
  }
  return groups
}
