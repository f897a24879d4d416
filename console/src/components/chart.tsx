// One ECharts chart (only the parts the console uses are imported, to keep the bundle small),
// drawn on a canvas with a text description for screen readers. Tooltips render on the canvas
// ('richText'), since HTML tooltips would need inline styles the CSP forbids.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

interface ChartProps {
  kind: 'bar' | 'line';
  labels: string[];
  values: number[];
  /** What the chart shows, in words: its accessible name. */
  description: string;
  testId?: string;
}

export function Chart({ kind, labels, values, description, testId }: ChartProps) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(element.current!, undefined, { renderer: 'canvas' });
    chart.setOption({
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: kind, data: values, itemStyle: { color: '#1f5fbf' }, ...(kind === 'line' ? { step: 'end' } : {}) }],
      animation: false,
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element.current!);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [kind, labels, values]);
  return <div ref={element} className="chart" role="img" aria-label={description} data-testid={testId} />;
}
