// The chart of a load run: latency percentiles per stage (log scale) beside offered and completed
// sales/s. Drawn as SVG by hand (no charting dependency); turned into a PNG by headless Chromium
// when /usr/bin/chromium is there, else the SVG is the chart.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadResult } from './types.js';

const W = 1100;
const H = 520;
/** 1, 2 or 5 times a power of ten, at least `x`. */
function niceStep(x: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(x, 1e-9))));
  return ([1, 2, 5, 10].find((m) => m * p >= x) ?? 10) * p;
}
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function latencyPanel(r: LoadResult, x0: number, y0: number, w: number, h: number): string {
  const series = [
    { key: 'p50' as const, color: '#2b8a3e' },
    { key: 'p95' as const, color: '#e67700' },
    { key: 'p99' as const, color: '#c92a2a' },
    { key: 'max' as const, color: '#495057' },
  ];
  const values = r.stages.flatMap((s) => series.map((k) => s.latency[k.key])).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.1, Math.min(...values, 1)))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 10))));
  const y = (v: number) => y0 + h - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * h;
  const n = r.stages.length;
  const x = (i: number) => x0 + ((i + 0.5) / n) * w;
  let out = `<text x="${x0}" y="${y0 - 14}" class="title">POST /v1/sales latency (ms, log scale)</text>`;
  for (let d = lo; d <= hi; d *= 10) {
    out += `<line x1="${x0}" x2="${x0 + w}" y1="${y(d)}" y2="${y(d)}" class="grid"/><text x="${x0 - 6}" y="${y(d) + 4}" class="tick" text-anchor="end">${d >= 1 ? d : d.toFixed(1)}</text>`;
  }
  // The target: p99 ≤ 50 ms at 500 sales/s.
  out += `<line x1="${x0}" x2="${x0 + w}" y1="${y(50)}" y2="${y(50)}" stroke="#c92a2a" stroke-dasharray="4 4" stroke-width="1"/><text x="${x0 + w - 4}" y="${y(50) - 4}" class="tick" text-anchor="end" fill="#c92a2a">50 ms target (p99 at 500/s)</text>`;
  for (const s of series) {
    const pts = r.stages.map((st, i) => `${x(i)},${y(st.latency[s.key])}`).join(' ');
    out += `<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`;
    out += r.stages.map((st, i) => `<circle cx="${x(i)}" cy="${y(st.latency[s.key])}" r="3.5" fill="${s.color}"/>`).join('');
  }
  out += r.stages.map((st, i) => `<text x="${x(i)}" y="${y0 + h + 18}" class="tick" text-anchor="middle">${esc(st.name)}</text>`).join('');
  out += series.map((s, i) => `<rect x="${x0 + 10 + i * 70}" y="${y0 + h + 30}" width="12" height="12" fill="${s.color}"/><text x="${x0 + 26 + i * 70}" y="${y0 + h + 40}" class="tick">${s.key}</text>`).join('');
  return out;
}

function throughputPanel(r: LoadResult, x0: number, y0: number, w: number, h: number): string {
  const offered = r.stages.map((s) => s.offeredPerSec ?? 0);
  const ok = r.stages.map((s) => s.okPerSec);
  const accepted = r.stages.map((s) => s.acceptance.acceptedPerSec ?? 0);
  const raw = r.rawSign.signsPerSec;
  const highest = Math.max(10, ...offered, ...ok, ...accepted);
  // The raw signing rate is drawn when it fits on a readable scale, else written.
  const rawShown = raw <= highest * 3;
  const step = niceStep((rawShown ? Math.max(highest, raw) : highest) * 1.1 / 5);
  const top = step * Math.ceil(((rawShown ? Math.max(highest, raw) : highest) * 1.1) / step);
  const y = (v: number) => y0 + h - (v / top) * h;
  const n = r.stages.length;
  const bw = w / n;
  let out = `<text x="${x0}" y="${y0 - 14}" class="title">Sales/s per stage</text>`;
  for (let v = 0; v <= top + 1e-9; v += step) {
    out += `<line x1="${x0}" x2="${x0 + w}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${x0 - 6}" y="${y(v) + 4}" class="tick" text-anchor="end">${Math.round(v)}</text>`;
  }
  const bars = [
    { v: offered, color: '#adb5bd', label: 'offered' },
    { v: ok, color: '#1971c2', label: 'completed (2xx)' },
    { v: accepted, color: '#2b8a3e', label: 'accepted by authority' },
  ];
  r.stages.forEach((st, i) => {
    bars.forEach((b, j) => {
      if (b.label === 'offered' && st.offeredPerSec === null) return; // closed loop: nothing offered on a schedule
      const v = b.v[i] ?? 0;
      const bx = x0 + i * bw + bw * 0.12 + j * bw * 0.25;
      out += `<rect x="${bx}" y="${y(v)}" width="${bw * 0.23}" height="${y0 + h - y(v)}" fill="${b.color}"/>`;
      out += `<text x="${bx + bw * 0.115}" y="${y(v) - 3}" class="val" text-anchor="middle">${v >= 100 ? Math.round(v) : v.toFixed(1)}</text>`;
    });
    out += `<text x="${x0 + (i + 0.5) * bw}" y="${y0 + h + 18}" class="tick" text-anchor="middle">${esc(st.name)}</text>`;
  });
  const rawLabel = `raw RSA-2048 signs/s, all cores: ${Math.round(raw)}`;
  out += rawShown
    ? `<line x1="${x0}" x2="${x0 + w}" y1="${y(raw)}" y2="${y(raw)}" stroke="#862e9c" stroke-dasharray="6 3"/><text x="${x0 + 4}" y="${y(raw) - 4}" class="tick" fill="#862e9c">${rawLabel}</text>`
    : `<text x="${x0 + w}" y="${y0 - 14}" class="tick" text-anchor="end" fill="#862e9c">${rawLabel} (off this scale)</text>`;
  out += bars.map((b, i) => `<rect x="${x0 + 10 + i * 150}" y="${y0 + h + 30}" width="12" height="12" fill="${b.color}"/><text x="${x0 + 26 + i * 150}" y="${y0 + h + 40}" class="tick">${b.label}</text>`).join('');
  return out;
}

export function chartSvg(r: LoadResult): string {
  const m = r.machine;
  const subtitle = `${m.cpuModel}, ${m.cores} cores, ${m.ramGiB} GiB · ${r.settings.businesses} businesses × ${r.settings.terminalsPerBusiness} terminals · ${r.settings.stageSeconds} s stages · load avg ${m.loadAvgStart} at start · ${r.startedAt}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">
<style>.title{font-size:15px;font-weight:bold}.tick{font-size:11px}.grid{stroke:#e9ecef;stroke-width:1}.val{font-size:9px;fill:#343a40}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="20" y="26" font-size="18" font-weight="bold">hoadon-mtt · npm run bench (sustained POS load)</text>
<text x="20" y="46" font-size="11" fill="#495057">${esc(subtitle)}</text>
${latencyPanel(r, 70, 100, 440, 340)}
${throughputPanel(r, 620, 100, 440, 340)}
</svg>`;
}

/** Writes <base>.svg and, with Chromium, <base>.png; returns the paths written. */
export async function writeChart(r: LoadResult, base: string): Promise<{ svg: string; png: string | null }> {
  const svg = `${base}.svg`;
  writeFileSync(svg, chartSvg(r));
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (!chromium) {
    process.stderr.write('chart: chromium not found (apt-get install -y chromium for a PNG); wrote the SVG only\n');
    return { svg, png: null };
  }
  const html = `${base}.html`;
  writeFileSync(html, `<!doctype html><html><body style="margin:0">${chartSvg(r)}</body></html>`);
  const png = `${base}.png`;
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${path.resolve(png)}`, `--window-size=${W},${H}`, `file://${path.resolve(html)}`];
  const ok = await new Promise<boolean>((resolve) => {
    execFile(chromium, args, { timeout: 90_000 }, (err, _out, stderr) => {
      if (err) process.stderr.write(`chart: chromium failed (${err.message.split('\n')[0]}); the SVG is the chart\n${stderr.slice(-500)}\n`);
      resolve(!err && existsSync(png));
    });
  });
  return { svg, png: ok ? png : null };
}
