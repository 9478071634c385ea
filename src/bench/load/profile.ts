// Where a process spent its CPU: a V8 .cpuprofile (node --cpu-prof) summed by self time, per
// package or project directory and per function. The evidence behind "the bottleneck is X".
import { existsSync, readFileSync } from 'node:fs';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  process: string;
  sampledSeconds: number;
  /**
   * Share of samples (%), idle excluded, by where the code lives; native code and Node internals
   * are charged to the nearest package or project frame that called them (a socket write made by
   * the PostgreSQL driver counts as "postgres").
   */
  byArea: Array<{ area: string; pct: number }>;
  topFunctions: Array<{ fn: string; where: string; pct: number }>;
}

/** node_modules/<pkg>, dist/<dir>, node:<module>, or V8's own buckets ((garbage collector), (program)). */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/dist\/([^/]+)(?:\/([^/]+))?/.exec(url);
  if (own) return own[2] && !own[2].endsWith('.js') ? `dist/${own[1]}/${own[2]}` : `dist/${own[1]}`;
  if (url.startsWith('node:')) return url.replace(/^node:internal\/.*/, 'node:internal');
  return url;
}

/** The file of a frame, from node_modules/ or dist/ on, with its line. */
function whereOf(url: string, line: number): string {
  if (!url) return '(native)';
  const short = url.replace(/^.*?node_modules\//, '').replace(/^.*?\/dist\//, 'dist/').replace(/^file:\/\//, '');
  return `${short}:${line + 1}`;
}

const isOwnFrame = (area: string) => !area.startsWith('(') && !area.startsWith('node:');

export function summarizeProfile(name: string, file: string, top = 15): ProfileSummary | null {
  if (!existsSync(file)) return null;
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const hits = new Map<number, number>();
  if (p.samples) for (const id of p.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const n of p.nodes) hits.set(n.id, n.hitCount ?? 0);
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ownArea = (id: number): string => {
    const n = byId.get(id)!;
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    if (isOwnFrame(area) || area === '(garbage collector)' || area === '(program)') return area;
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const u = byId.get(up)!;
      const a = areaOf(u.callFrame.url, u.callFrame.functionName);
      if (isOwnFrame(a)) return a;
    }
    return area;
  };
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const h = hits.get(n.id) ?? 0;
    if (!h || n.callFrame.functionName === '(idle)') continue;
    total += h;
    const area = ownArea(n.id);
    areas.set(area, (areas.get(area) ?? 0) + h);
    const key = `${n.callFrame.functionName || '(anonymous)'}\t${whereOf(n.callFrame.url, n.callFrame.lineNumber)}${n.callFrame.url ? '' : ` ← ${area}`}`;
    fns.set(key, (fns.get(key) ?? 0) + h);
  }
  const pct = (h: number) => Math.round((h / Math.max(1, total)) * 1000) / 10;
  return {
    process: name,
    sampledSeconds: Math.round((p.endTime - p.startTime) / 1e5) / 10,
    byArea: [...areas].sort((a, b) => b[1] - a[1]).slice(0, top).map(([area, h]) => ({ area, pct: pct(h) })),
    topFunctions: [...fns].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, h]) => {
      const [fn = '', where = ''] = k.split('\t');
      return { fn, where, pct: pct(h) };
    }),
  };
}
