import type { I18n } from '@adonisjs/i18n'
import type { DashboardFigures } from '#services/admin_backend'
import { barChart, durationParts, lineChart, stackedBarChart } from '#services/chart_layout'
import { ISSUE_SEVERITIES } from '#services/dashboard_metrics'

/** The dashboard's figures laid out as charts, with their words in the reader's language. */
export function dashboardCharts(figures: DashboardFigures, i18n: I18n) {
  const duration = durationText(i18n)
  const facilityName = (entry: DashboardFigures['dqByFacility'][number]) =>
    entry.name ?? entry.facility ?? i18n.t('admin.dashboard.unknown_facility')
  return {
    lag: barChart(
      figures.syncLag.map((entry) => ({
        label: entry.device,
        value: entry.lagSeconds,
        text: duration(entry.lagSeconds),
      }))
    ),
    firings: lineChart(
      figures.ruleFirings.days.map((day) => day.slice(5)),
      figures.ruleFirings.packs.map((pack) => ({ name: pack.pack, values: pack.counts }))
    ),
    dq: stackedBarChart(
      figures.dqByFacility.map((entry) => ({
        label: facilityName(entry),
        parts: ISSUE_SEVERITIES.map((severity) => ({
          key: severity,
          value: entry.counts[severity],
        })),
      })),
      [...ISSUE_SEVERITIES],
      /* Vermillion, orange and sky blue: the most serious stands out, in any colour vision. */
      { colours: ['#D55E00', '#E69F00', '#56B4E9'] }
    ),
    duration,
    facilityName,
  }
}

/** Seconds as words in the reader's language: "45 s", "12 min", "3 h", "2 d". */
export function durationText(i18n: I18n) {
  return (seconds: number) => {
    const { value, unit } = durationParts(seconds)
    return i18n.t(`admin.duration.${unit}`, { value })
  }
}
