import { test } from '@japa/runner'
import {
  barChart,
  durationParts,
  lineChart,
  roundUp,
  stackedBarChart,
} from '#services/chart_layout'

test.group('Dashboard chart geometry', () => {
  test('bars are scaled to the largest value and a zero draws nothing', ({ assert }) => {
    const chart = barChart(
      [
        { label: 'north', value: 100 },
        { label: 'south', value: 50 },
        { label: 'idle', value: 0 },
      ],
      { width: 400, left: 100 }
    )
    const room = 400 - 100 - 90
    assert.deepEqual(
      chart.bars.map((bar) => bar.width),
      [room, room / 2, 0]
    )
    assert.deepEqual(
      chart.bars.map((bar) => bar.y),
      [0, 30, 60]
    )
    assert.equal(chart.height, 82)
    assert.equal(chart.bars[0].text, '100')
  })

  test('a tiny value still shows a sliver of bar', ({ assert }) => {
    const chart = barChart([
      { label: 'big', value: 10_000 },
      { label: 'tiny', value: 1 },
    ])
    assert.equal(chart.bars[1].width, 2)
  })

  test('lines share the x labels and the y axis starts at zero', ({ assert }) => {
    const chart = lineChart(
      ['d1', 'd2', 'd3'],
      [
        { name: 'a', values: [0, 3, 6] },
        { name: 'b', values: [1, 1, 1] },
      ],
      { width: 240, height: 130 }
    )
    /* Plot 40-230 wide and 10-100 high; the axis goes up to 10, so 3 is 27 units up. */
    assert.deepEqual(chart.plot, { left: 40, top: 10, right: 230, bottom: 100 })
    assert.equal(chart.lines[0].points, '40,100 135,73 230,46')
    assert.equal(chart.lines[1].total, 3)
    assert.notEqual(chart.lines[0].colour, chart.lines[1].colour)
    assert.deepEqual(
      chart.yTicks.map((tick) => tick.text),
      ['0', '5', '10']
    )
    assert.deepEqual(
      chart.xTicks.map((tick) => tick.text),
      ['d1', 'd2', 'd3']
    )
  })

  test('long day ranges label about a week of ticks, always the last day', ({ assert }) => {
    const labels = Array.from({ length: 30 }, (_, index) => `day ${index + 1}`)
    const chart = lineChart(labels, [{ name: 'a', values: labels.map(() => 1) }])
    assert.isAtMost(chart.xTicks.length, 9)
    assert.equal(chart.xTicks.at(-1)!.text, 'day 30')
    assert.equal(chart.xTicks.at(-1)!.anchor, 'end')
    assert.equal(chart.xTicks[0].anchor, 'middle')
  })

  test('stacked bars put the parts side by side in the order of the keys', ({ assert }) => {
    const chart = stackedBarChart(
      [
        {
          label: 'Riverside',
          parts: [
            { key: 'high', value: 2 },
            { key: 'moderate', value: 2 },
            { key: 'low', value: 0 },
          ],
        },
        { label: 'Hilltop', parts: [{ key: 'low', value: 1 }] },
      ],
      ['high', 'moderate', 'low'],
      { width: 340, left: 100 }
    )
    const [riverside, hilltop] = chart.rows
    assert.equal(riverside.total, 4)
    assert.lengthOf(riverside.parts, 2)
    assert.equal(riverside.parts[1].x, riverside.parts[0].x + riverside.parts[0].width)
    assert.equal(riverside.parts[0].width + riverside.parts[1].width, 180)
    assert.equal(hilltop.parts[0].width, 45)
    assert.equal(hilltop.parts[0].colour, chart.legend[2].colour)
  })

  test('a small axis has whole-number ticks only', ({ assert }) => {
    const chart = lineChart(['a', 'b'], [{ name: 'a', values: [0, 1] }])
    assert.deepEqual(
      chart.yTicks.map((tick) => tick.text),
      ['0', '1']
    )
  })

  test('stacked parts may be given their own colours', ({ assert }) => {
    const chart = stackedBarChart([{ label: 'x', parts: [{ key: 'b', value: 1 }] }], ['a', 'b'], {
      colours: ['#111111', '#222222'],
    })
    assert.equal(chart.rows[0].parts[0].colour, '#222222')
  })

  test('axis maxima round up to 1, 2 or 5 times a power of ten', ({ assert }) => {
    assert.deepEqual([1, 3, 7, 10, 11, 180, 999].map(roundUp), [1, 5, 10, 10, 20, 200, 1000])
  })

  test('durations are given in the unit a person reads them in', ({ assert }) => {
    assert.deepEqual(durationParts(45), { value: 45, unit: 'seconds' })
    assert.deepEqual(durationParts(720), { value: 12, unit: 'minutes' })
    assert.deepEqual(durationParts(3 * 3600), { value: 3, unit: 'hours' })
    assert.deepEqual(durationParts(5 * 86400), { value: 5, unit: 'days' })
  })
})
