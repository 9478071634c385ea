// Schema checks through libxml2's xmllint (the parser in src/invoice/parse.ts is lenient, see its
// header). One xmllint run per 206 message in the common case, in a long-lived shell
// (xmllint-shell.ts): the whole message against tdiep-206.xsd; only when that fails are the
// invoices checked one by one (one more process for all of them) to learn which ones are at
// fault. A 303 is checked whole against tdiep-303.xsd.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_STDERR, xmllintStdin } from './xmllint-shell.js';

export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas');
const HDON_XSD = path.join(SCHEMAS_DIR, 'hdon-2h.xsd');
const TDIEP_206_XSD = path.join(SCHEMAS_DIR, 'tdiep-206.xsd');
const TDIEP_303_XSD = path.join(SCHEMAS_DIR, 'tdiep-303.xsd');
const MAX_DETAIL = 300;

export interface XmlCheck {
  ok: boolean;
  /** False when the text is not even well-formed XML. */
  wellFormed: boolean;
  /** The first problems xmllint reported, shortened. */
  detail: string;
}

export interface XsdValidator {
  /** Well-formedness only (messages without a schema of their own: 100). */
  wellFormed(xml: string): Promise<XmlCheck>;
  /** A 206 message against tdiep-206.xsd. */
  message206(xml: string): Promise<XmlCheck>;
  /** A 303 message against tdiep-303.xsd. */
  message303(xml: string): Promise<XmlCheck>;
  /** Each invoice (`HDon` text) against hdon-2h.xsd, in order. */
  invoices(xmls: readonly string[]): Promise<XmlCheck[]>;
}

/** xmllint in a process of its own: on files, on `stdin` given as `-`, or just `--version`. */
export function runXmllint(args: string[], opts: { cwd?: string; stdin?: string } = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('xmllint', args, { cwd: opts.cwd, stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < MAX_STDERR) stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    if (opts.stdin !== undefined) {
      child.stdin!.on('error', () => {});
      child.stdin!.end(opts.stdin);
    }
  });
}

/** Whether `xmllint` can be started on this machine. */
export async function xmllintAvailable(): Promise<boolean> {
  try {
    const r = await runXmllint(['--version']);
    return r.code === 0;
  } catch {
    return false;
  }
}

const shorten = (s: string): string => (s.length > MAX_DETAIL ? s.slice(0, MAX_DETAIL - 1) + '…' : s);

/** The meaningful lines of xmllint's report for one input, without the source echo and caret lines. */
function problems(lines: string[]): string {
  return shorten(
    lines
      .filter((l) => /(parser error|validity error|error :)/.test(l))
      .map((l) => l.replace(/^[^:]*:\d+: /, '').trim())
      .slice(0, 3)
      .join(' | '),
  );
}

function verdict(code: number | null, stderr: string): XmlCheck {
  const lines = stderr.split('\n');
  const wellFormed = !lines.some((l) => l.includes('parser error'));
  return { ok: code === 0, wellFormed, detail: code === 0 ? '' : problems(lines) || `xmllint exited with ${String(code)}` };
}

async function message(xsd: string, xml: string): Promise<XmlCheck> {
  const r = await xmllintStdin(xml, xsd);
  return verdict(r.code, r.stderr);
}

export function xmllintValidator(): XsdValidator {
  return {
    async wellFormed(xml) {
      const r = await xmllintStdin(xml);
      return verdict(r.code, r.stderr);
    },
    message206: (xml) => message(TDIEP_206_XSD, xml),
    message303: (xml) => message(TDIEP_303_XSD, xml),
    async invoices(xmls) {
      if (xmls.length === 0) return [];
      const dir = await mkdtemp(path.join(tmpdir(), 'hoadon-sim-'));
      try {
        const names = xmls.map((_, i) => `${i}.xml`);
        await Promise.all(xmls.map((x, i) => writeFile(path.join(dir, names[i] as string), x, 'utf8')));
        const r = await runXmllint(['--noout', '--nonet', '--schema', HDON_XSD, ...names], { cwd: dir });
        const byFile = new Map<string, string[]>();
        for (const line of r.stderr.split('\n')) {
          const m = /^(\d+\.xml)[: ]/.exec(line);
          if (m) byFile.set(m[1] as string, [...(byFile.get(m[1] as string) ?? []), line]);
        }
        return names.map((n) => {
          const lines = byFile.get(n) ?? [];
          const ok = lines.some((l) => l === `${n} validates`);
          const wellFormed = !lines.some((l) => l.includes('parser error'));
          return { ok, wellFormed, detail: ok ? '' : problems(lines) || 'not valid' };
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
