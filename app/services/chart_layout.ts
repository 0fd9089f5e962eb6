/**
 * Geometry of the small charts the administration pages draw as inline SVG on the
 * server (no chart library, nothing downloaded): the templates only place what is
 * computed here. Colours are the Okabe-Ito palette, told apart by people with any
 * common colour vision deficiency; every chart is also given as a table.
 */
export const CHART_COLOURS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
] as const

export interface BarInput {
  label: string
  value: number
  /** What is written at the end of the bar; the value by default. */
  text?: string
}

export interface Bar extends Required<BarInput> {
  y: number
  width: number
}

export interface BarChart {
  width: number
  height: number
  /** Where bars start: the labels are written left of it. */
  left: number
  barHeight: number
  bars: Bar[]
}

/** Horizontal bars, one row per item, scaled to the largest value. */
export function barChart(items: BarInput[], options: { width?: number; left?: number } = {}) {
  const width = options.width ?? 640
  const left = options.left ?? 180
  const barHeight = 22
  const gap = 8
  const room = width - left - 90
  const max = Math.max(1, ...items.map((item) => item.value))
  const bars = items.map((item, index) => ({
    label: item.label,
    value: item.value,
    text: item.text ?? String(item.value),
    y: index * (barHeight + gap),
    width: item.value <= 0 ? 0 : Math.max(2, Math.round((item.value / max) * room)),
  }))
  const chart: BarChart = {
    width,
    height: Math.max(barHeight, items.length * (barHeight + gap) - gap),
    left,
    barHeight,
    bars,
  }
  return chart
}

export interface LineSeries {
  name: string
  values: number[]
}

export interface LineChart {
  width: number
  height: number
  plot: { left: number; top: number; right: number; bottom: number }
  lines: { name: string; colour: string; points: string; total: number }[]
  yTicks: { y: number; text: string }[]
  xTicks: { x: number; text: string; anchor: 'middle' | 'end' }[]
}

/** Lines over shared x labels (days), the y axis from zero to a round maximum. */
export function lineChart(
  labels: string[],
  series: LineSeries[],
  options: { width?: number; height?: number } = {}
): LineChart {
  const width = options.width ?? 640
  const height = options.height ?? 240
  const plot = { left: 40, top: 10, right: width - 10, bottom: height - 30 }
  const max = roundUp(Math.max(1, ...series.flatMap((line) => line.values)))
  const step = labels.length > 1 ? (plot.right - plot.left) / (labels.length - 1) : 0
  const x = (index: number) => Math.round(plot.left + index * step)
  const y = (value: number) => Math.round(plot.bottom - (value / max) * (plot.bottom - plot.top))
  const every = Math.max(1, Math.ceil(labels.length / 7))
  return {
    width,
    height,
    plot,
    lines: series.map((line, index) => ({
      name: line.name,
      colour: CHART_COLOURS[index % CHART_COLOURS.length],
      points: line.values.map((value, at) => `${x(at)},${y(value)}`).join(' '),
      total: line.values.reduce((sum, value) => sum + value, 0),
    })),
    yTicks: (Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max]).map((value) => ({
      y: y(value),
      text: formatTick(value),
    })),
    /* The last label ends at the plot's edge instead of running past it. */
    xTicks: labels
      .map((text, index) => ({
        x: x(index),
        text,
        anchor: index === labels.length - 1 && index > 0 ? ('end' as const) : ('middle' as const),
      }))
      .filter((_, index) => index % every === 0 || index === labels.length - 1),
  }
}

export interface StackPart {
  key: string
  value: number
}

export interface StackedBarChart {
  width: number
  height: number
  left: number
  barHeight: number
  legend: { key: string; colour: string }[]
  rows: {
    label: string
    total: number
    y: number
    parts: { key: string; value: number; x: number; width: number; colour: string }[]
  }[]
}

/** Horizontal bars split into parts (e.g. findings by severity), scaled to the largest total. */
export function stackedBarChart(
  rows: { label: string; parts: StackPart[] }[],
  keys: string[],
  options: { width?: number; left?: number; colours?: readonly string[] } = {}
): StackedBarChart {
  const width = options.width ?? 640
  const left = options.left ?? 180
  const barHeight = 22
  const gap = 8
  const room = width - left - 60
  const palette = options.colours ?? CHART_COLOURS
  const colour = (key: string) => palette[keys.indexOf(key) % palette.length]
  const totals = rows.map((row) => row.parts.reduce((sum, part) => sum + part.value, 0))
  const max = Math.max(1, ...totals)
  return {
    width,
    height: Math.max(barHeight, rows.length * (barHeight + gap) - gap),
    left,
    barHeight,
    legend: keys.map((key) => ({ key, colour: colour(key) })),
    rows: rows.map((row, index) => {
      let x = left
      const parts = row.parts
        .filter((part) => part.value > 0)
        .map((part) => {
          const partWidth = Math.max(1, Math.round((part.value / max) * room))
          const placed = { ...part, x, width: partWidth, colour: colour(part.key) }
          x += partWidth
          return placed
        })
      return { label: row.label, total: totals[index], y: index * (barHeight + gap), parts }
    }),
  }
}

/** 1, 2 or 5 times a power of ten, at least `value`. */
export function roundUp(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value))
  const step = [1, 2, 5, 10].find((factor) => factor * power >= value)!
  return step * power
}

function formatTick(value: number) {
  return Number.isInteger(value) ? String(value) : value.toFixed(1)
}

/** A duration in seconds in the unit a person reads it in; the page translates the unit. */
export function durationParts(seconds: number): {
  value: number
  unit: 'seconds' | 'minutes' | 'hours' | 'days'
} {
  if (seconds < 60) return { value: seconds, unit: 'seconds' }
  if (seconds < 3600) return { value: Math.round(seconds / 60), unit: 'minutes' }
  if (seconds < 48 * 3600) return { value: Math.round(seconds / 3600), unit: 'hours' }
  return { value: Math.round(seconds / 86400), unit: 'days' }
}
