// A Chart.js chart in a canvas, with the same numbers in a table for keyboard and screen-reader
// users. Animation is off: the numbers matter, not the motion.
import { useEffect, useRef } from 'preact/hooks';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip, Filler);
Chart.defaults.font.family = 'system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif';
Chart.defaults.color = '#334155';

export interface Series {
  label: string;
  values: number[];
  kind: 'bar' | 'line';
  color: string;
}

export function ChartView(props: { title: string; labels: string[]; series: Series[]; format: (n: number) => string; id?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const datasets = props.series.map(
      (s): ChartDataset<'bar' | 'line', number[]> => ({
        type: s.kind,
        label: s.label,
        data: s.values,
        backgroundColor: s.kind === 'bar' ? s.color : 'transparent',
        borderColor: s.color,
        borderWidth: s.kind === 'line' ? 2 : 0,
        pointRadius: s.kind === 'line' ? 2 : 0,
        // Lines over bars (a lower order is drawn later).
        order: s.kind === 'line' ? 0 : 1,
      }),
    );
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: props.labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { display: props.series.length > 1, position: 'bottom' },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${props.format(Number(c.parsed.y))}` } },
        },
        scales: { y: { beginAtZero: true, ticks: { callback: (v) => props.format(Number(v)) } } },
      },
    });
    canvas.current.dataset.points = String(props.labels.length);
    return () => chart.destroy();
  }, [props.labels, props.series]);
  return (
    <figure class="chart" {...(props.id ? { id: props.id } : {})}>
      <figcaption>{props.title}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={`Biểu đồ: ${props.title}`} />
      </div>
      <details>
        <summary>Xem số liệu dạng bảng</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Thời gian</th>
              {props.series.map((s) => (
                <th scope="col">{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.labels.map((l, i) => (
              <tr>
                <th scope="row">{l}</th>
                {props.series.map((s) => (
                  <td class="num">{props.format(s.values[i] ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
