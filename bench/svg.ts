/**
 * Two small line charts as standalone SVG, no dependency: the storm (attempts per 100 ms over
 * time, one line per strategy) and the failover gaps (one cumulative distribution per subject).
 */

export interface Series {
  label: string;
  color: string;
  /** [x, y] points, in data units. */
  points: [number, number][];
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Draw each series as steps (a distribution) rather than straight segments. */
  steps?: boolean;
  width?: number;
  height?: number;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 1, 2 or 5 times a power of ten: tick spacing giving about `count` ticks up to `max`. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (raw <= factor * power) return factor * power;
  }
  return 10 * power;
}

const format = (value: number) => String(Math.round(value * 1000) / 1000);

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 360;
  const margin = { top: 40, right: 170, bottom: 50, left: 60 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const all = options.series.flatMap((series) => series.points);
  const maxX = Math.max(1e-9, ...all.map(([x]) => x));
  const maxY = Math.max(1e-9, ...all.map(([, y]) => y));
  const xStep = tickStep(maxX, 8);
  const yStep = tickStep(maxY, 5);
  const xMax = Math.ceil(maxX / xStep) * xStep;
  const yMax = Math.ceil(maxY / yStep) * yStep;
  const sx = (x: number) => margin.left + (x / xMax) * plotWidth;
  const sy = (y: number) => margin.top + plotHeight - (y / yMax) * plotHeight;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${margin.left}" y="22" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  );
  for (let y = 0; y <= yMax + 1e-9; y += yStep) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${sy(y)}" y2="${sy(y)}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${sy(y) + 4}" text-anchor="end">${format(y)}</text>`,
    );
  }
  for (let x = 0; x <= xMax + 1e-9; x += xStep) {
    parts.push(
      `<line x1="${sx(x)}" x2="${sx(x)}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight + 4}" stroke="#555"/>`,
      `<text x="${sx(x)}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${format(x)}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#555"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  options.series.forEach((series, index) => {
    const points: string[] = [];
    series.points.forEach(([x, y], pointIndex) => {
      if (options.steps && pointIndex > 0) {
        points.push(`${sx(x).toFixed(1)},${sy(series.points[pointIndex - 1]![1]).toFixed(1)}`);
      }
      points.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    });
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<polyline fill="none" stroke="${series.color}" stroke-width="1.8"${dash} points="${points.join(' ')}"/>`,
    );
    const legendY = margin.top + 14 + index * 20;
    const legendX = margin.left + plotWidth + 14;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${series.color}" stroke-width="2.5"${dash}/>`,
      `<text x="${legendX + 28}" y="${legendY}">${escapeXml(series.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The cumulative distribution of `samples`: [value, fraction at or below it]. */
export function cumulative(samples: readonly number[]): [number, number][] {
  const sorted = [...samples].sort((a, b) => a - b);
  return [
    [0, 0],
    ...sorted.map((value, index): [number, number] => [value, (index + 1) / sorted.length]),
  ];
}
