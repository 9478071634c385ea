// CPU and memory of processes from /proc (Linux): the evidence of where a bottleneck sits. CPU is
// read as utime+stime ticks at two points; memory as VmRSS (sampled) and VmHWM (the kernel's peak).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields of /proc/<pid>/stat after the command name (in parentheses, may contain spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) of a process so far, with `children` also those of its children it
 * has waited for; undefined when it is gone.
 */
export function cpuSeconds(pid: number, children = false): number | undefined {
  const f = statFields(pid);
  if (!f) return undefined;
  return (Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0)) / clockTicks();
}

/** Pids of the live children of a process. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((p) => statFields(p)?.[1] === String(pid));
  } catch {
    return [];
  }
}

/** VmRSS and VmHWM of a process in MiB (0 when it is gone). */
export function memoryMiB(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Busy and total CPU seconds of the whole machine (all cores) from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / clockTicks(), total: total / clockTicks() };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * Sum of CPU seconds of a set of processes, remembering each pid so vanished ones keep their last
 * reading. With `children`, each counts the children it has waited for (a shell's xmllint runs).
 */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(
    pids: number[],
    private readonly children = false,
  ) {
    this.add(pids);
  }

  add(pids: number[]): void {
    for (const pid of pids) {
      if (this.start.has(pid)) continue;
      const s = cpuSeconds(pid, this.children);
      if (s !== undefined) {
        this.start.set(pid, s);
        this.last.set(pid, s);
      }
    }
  }

  /** CPU seconds used since the meter saw each process first. */
  used(): number {
    let sum = 0;
    for (const [pid, s0] of this.start) {
      const now = cpuSeconds(pid, this.children);
      if (now !== undefined) this.last.set(pid, now);
      sum += (this.last.get(pid) ?? s0) - s0;
    }
    return sum;
  }
}
