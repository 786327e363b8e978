import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Analytics } from '../../api/analytics';
import { formatBucket, formatCompact, formatNumber } from '../../lib/format';

const SERIES = [
  { key: 'total', label: 'Scans', stroke: '#4f46e5', fill: 'rgba(79, 70, 229, 0.08)' },
  { key: 'human', label: 'Humans', stroke: '#0891b2', fill: undefined },
  { key: 'unique', label: 'Unique visitors', stroke: '#d97706', fill: undefined },
] as const;

/** Scans over time (uPlot: canvas, ~45 kB, fast with thousands of points), in the chosen zone. */
export function TimeSeriesChart({ data }: { data: Analytics }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const interval = data.interval as 'hour' | 'day' | 'week' | 'month';
    const xs = data.series.map((p) => new Date(p.t).getTime() / 1000);
    const columns: uPlot.AlignedData = [xs, ...SERIES.map((s) => data.series.map((p) => p[s.key]))];
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height: 280,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), data.tz),
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(4, max * 1.1)] } },
        axes: [
          {
            stroke: '#475569',
            grid: { stroke: '#eef2f7' },
            values: (_u, ticks) =>
              ticks.map((t) => formatBucket(new Date(t * 1000).toISOString(), interval, data.tz)),
          },
          {
            stroke: '#475569',
            grid: { stroke: '#eef2f7' },
            values: (_u, ticks) => ticks.map((t) => formatCompact(t)),
            size: 48,
          },
        ],
        series: [
          {},
          ...SERIES.map((s) => ({
            label: s.label,
            stroke: s.stroke,
            width: 2,
            ...(s.fill ? { fill: s.fill } : {}),
            points: { show: xs.length < 60 },
          })),
        ],
      },
      columns,
      element,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: element.clientWidth, height: 280 }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data]);
  const interval = data.interval as 'hour' | 'day' | 'week' | 'month';
  return (
    <div className="stack">
      <div className="legend" aria-hidden="true">
        <span>
          <span className="swatch swatch-total" />
          Scans
        </span>
        <span>
          <span className="swatch swatch-human" />
          Humans
        </span>
        <span>
          <span className="swatch swatch-unique" />
          Unique visitors
        </span>
      </div>
      <div
        ref={container}
        className="chart"
        role="img"
        aria-label={`Scans per ${interval}, ${data.series.length} points; the table below has the numbers`}
      />
      <details className="section">
        <summary className="small">Show as a table</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>
                  {interval === 'hour'
                    ? 'Hour'
                    : interval === 'day'
                      ? 'Day'
                      : interval === 'week'
                        ? 'Week of'
                        : 'Month'}
                </th>
                <th className="num">Scans</th>
                <th className="num">Humans</th>
                <th className="num">Unique</th>
              </tr>
            </thead>
            <tbody>
              {data.series.map((p) => (
                <tr key={p.t}>
                  <td>{formatBucket(p.t, interval, data.tz)}</td>
                  <td className="num">{formatNumber(p.total)}</td>
                  <td className="num">{formatNumber(p.human)}</td>
                  <td className="num">{formatNumber(p.unique)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
