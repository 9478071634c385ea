// CPU and memory of processes from /proc (Linux): the evidence of where a bottleneck sits. CPU is
// read as utime+stime ticks at two points; memory as VmRSS (sampled) and VmHWM (the kernel's peak).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

/** CPU seconds (user + system) of a process so far; undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
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

/** Sum of CPU seconds of a set of processes, remembering each pid so vanished ones keep their last reading. */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(pids: number[]) {
    this.add(pids);
  }

  add(pids: number[]): void {
    for (const pid of pids) {
      if (this.start.has(pid)) continue;
      const s = cpuSeconds(pid);
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
      const now = cpuSeconds(pid);
      if (now !== undefined) this.last.set(pid, now);
      sum += (this.last.get(pid) ?? s0) - s0;
    }
    return sum;
  }
}
