import { describe, expect, it } from 'vitest'
import { escapeXml, intervalChartSvg, scatterChartSvg } from './svg-chart'

describe('SVG charts', () => {
  it('draws one dot and one interval per row, with labels escaped', () => {
    const svg = intervalChartSvg({
      title: 'Means <all>',
      axisLabel: 'mean',
      rows: [
        { label: 'A & B', estimate: 3, low: 2.8, high: 3.2, note: '#1' },
        { label: 'C', estimate: 2, low: 1.9, high: 2.2 },
      ],
    })
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+" /)
    expect(svg.match(/<circle /g)).toHaveLength(2)
    expect(svg).toContain('A &amp; B #1')
    expect(svg).toContain('Means &lt;all&gt;')
    expect(svg).not.toContain('NaN')
  })

  it('draws a panel per metric with a point per system, also when every x is equal', () => {
    const svg = scatterChartSvg({
      title: 't',
      panels: [
        { title: 'BLEU-2', xLabel: 'x', yLabel: 'y', points: [{ label: 'S1', x: 0.1, y: 3 }, { label: 'S2', x: 0.2, y: 2 }] },
        { title: 'flat', xLabel: 'x', yLabel: 'y', points: [{ label: 'S1', x: 1, y: 3 }, { label: 'S2', x: 1, y: 2 }] },
      ],
    })
    expect(svg.match(/<circle /g)).toHaveLength(4)
    expect(svg).not.toContain('NaN')
    expect(svg).not.toContain('Infinity')
  })

  it('escapes the five XML specials it can meet', () => {
    expect(escapeXml(`a<b>&"c"`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;')
  })
})
