// xmllint for one document at a time, run by a few long-lived /bin/sh processes rather than
// spawned by the simulator itself: forking the simulator (a Node process of a few hundred MB) cost
// it 5-20 ms of CPU per message, more than all its own checks of a 12-invoice 206. A shell forks
// for a fraction of that, and xmllint reports exactly as before: it still reads the document as
// "-" on its stdin.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Readable, Writable } from 'node:stream';

export interface XmllintRun {
  /** xmllint's exit code. */
  code: number | null;
  stderr: string;
}

/**
 * A request is a line "<bytes> <xsd path, or nothing for well-formedness only>" and the document;
 * the answer is xmllint's stderr, then "\n<marker> <exit code>\n". The document goes through a
 * file so that xmllint stopping early (a fatal parse error) leaves nothing of it in the pipe.
 */
const SCRIPT = `tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
trap 'exit 1' HUP INT TERM PIPE
while read -r bytes xsd; do
  head -c "$bytes" > "$tmp"
  if [ -n "$xsd" ]; then xmllint --noout --nonet --schema "$xsd" - < "$tmp" 2>&1 >/dev/null
  else xmllint --noout --nonet - < "$tmp" 2>&1 >/dev/null; fi
  printf '\\n%s %s\\n' "$1" "$?"
done`;

/** As much of xmllint's report as is kept (the rest is read and dropped). */
export const MAX_STDERR = 1_000_000;

class XmllintShell {
  /** Random, so that no document can end an answer early by quoting it. */
  private readonly marker = randomBytes(12).toString('hex');
  private readonly end = new RegExp(`\\n${this.marker} (\\d+)\\n$`);
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private kept = '';
  private tail = '';
  private pending: { resolve(r: XmllintRun): void; reject(err: Error): void } | undefined;
  dead = false;

  constructor() {
    this.child = spawn('/bin/sh', ['-c', SCRIPT, 'sh', this.marker], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.read(chunk));
    this.child.stdin.on('error', () => {}); // reported by 'exit'
    this.child.on('error', (err) => this.fail(err));
    this.child.on('exit', (code, signal) => this.fail(new Error(`the xmllint shell ended (${signal ?? code})`)));
    this.hold(false);
  }

  run(xml: string, xsd: string): Promise<XmllintRun> {
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(new Error('the xmllint shell has ended'));
      this.pending = { resolve, reject };
      this.hold(true);
      const doc = Buffer.from(xml, 'utf8');
      this.child.stdin.write(Buffer.concat([Buffer.from(`${doc.length} ${xsd}\n`, 'utf8'), doc]));
    });
  }

  /** An idle shell must not keep the process alive; a busy one must, until it answers. */
  private hold(busy: boolean): void {
    const stdout = this.child.stdout as Socket;
    if (busy) {
      this.child.ref();
      stdout.ref();
    } else {
      this.child.unref();
      stdout.unref();
    }
  }

  private read(chunk: string): void {
    if (this.kept.length < MAX_STDERR) this.kept += chunk;
    this.tail = (this.tail + chunk).slice(-(this.marker.length + 16));
    const m = this.end.exec(this.tail);
    if (!m || !this.pending) return;
    const markerAt = this.kept.lastIndexOf(`\n${this.marker} `);
    const stderr = markerAt >= 0 ? this.kept.slice(0, markerAt) : this.kept;
    const { resolve } = this.pending;
    this.pending = undefined;
    this.kept = this.tail = '';
    this.hold(false);
    resolve({ code: Number(m[1]), stderr });
  }

  private fail(err: Error): void {
    this.dead = true;
    this.pending?.reject(err);
    this.pending = undefined;
  }
}

const MAX_SHELLS = availableParallelism();
const idle: XmllintShell[] = [];
const waiting: Array<(shell: XmllintShell) => void> = [];
let shells = 0;

function acquire(): Promise<XmllintShell> {
  for (let shell = idle.pop(); shell; shell = idle.pop()) {
    if (!shell.dead) return Promise.resolve(shell);
    shells--; // ended while idle
  }
  if (shells < MAX_SHELLS) {
    shells++;
    return Promise.resolve(new XmllintShell());
  }
  return new Promise((resolve) => waiting.push(resolve));
}

/** Back to the pool, or to the next waiting run; a shell that ended is replaced only if one waits. */
function release(shell: XmllintShell): void {
  if (shell.dead) shells--;
  const take = waiting.shift();
  if (!take) {
    if (!shell.dead) idle.push(shell);
    return;
  }
  if (!shell.dead) return take(shell);
  shells++;
  take(new XmllintShell());
}

/** `xmllint --noout --nonet [--schema xsd] -` on `xml`: its exit code and stderr. */
export async function xmllintStdin(xml: string, xsd?: string): Promise<XmllintRun> {
  const shell = await acquire();
  try {
    return await shell.run(xml, xsd ?? '');
  } finally {
    release(shell);
  }
}
