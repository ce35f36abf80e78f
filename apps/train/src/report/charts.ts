import * as echarts from 'echarts';

// ECharts renders server-side to an SVG string (its SSR mode): no DOM, no browser, no network.
function render(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** A line chart of one or more series over steps. */
export function lineChart(
  title: string,
  series: { name: string; points: [number, number][] }[],
  yName: string,
  logY = false,
): string {
  return render(
    {
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { bottom: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 50 },
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 25 },
      yAxis: { type: logY ? 'log' : 'value', name: yName, scale: true },
      series: series.map((s) => ({
        type: 'line',
        name: s.name,
        data: s.points,
        showSymbol: false,
        lineStyle: { width: 1.5 },
      })),
    },
    640,
    320,
  );
}

/** A heatmap of a matrix (rows top to bottom), with its values in the cells when small. */
export function heatmap(
  title: string,
  rows: readonly string[],
  columns: readonly string[],
  values: readonly (readonly number[])[],
  options: { xName?: string; yName?: string; decimals?: number } = {},
): string {
  const data: [number, number, number][] = [];
  let min = Infinity;
  let max = -Infinity;
  values.forEach((row, r) =>
    row.forEach((v, c) => {
      data.push([c, r, Number(v.toFixed(options.decimals ?? 2))]);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }),
  );
  const short = (s: string): string => (s.length > 28 ? `${s.slice(0, 27)}…` : s);
  const cell = Math.max(18, Math.min(40, Math.floor(560 / Math.max(1, columns.length))));
  const width = 260 + cell * columns.length;
  const height = 140 + cell * rows.length;
  return render(
    {
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      grid: { left: 230, right: 20, top: 40, bottom: 100 },
      xAxis: {
        type: 'category',
        data: columns.map(short),
        name: options.xName,
        nameLocation: 'middle',
        nameGap: 80,
        axisLabel: { rotate: 45, fontSize: 9 },
      },
      yAxis: {
        type: 'category',
        data: rows.map(short),
        name: options.yName,
        inverse: true,
        axisLabel: { fontSize: 9 },
      },
      visualMap: {
        min: Number.isFinite(min) ? min : 0,
        max: Number.isFinite(max) ? max : 1,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 120,
      },
      series: [{ type: 'heatmap', data, label: { show: columns.length <= 16, fontSize: 8 } }],
    },
    width,
    height,
  );
}
