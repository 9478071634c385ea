// The domain must stay pure: no I/O, no framework, no database. Only relative imports of its
// own files are allowed, so the rules can run anywhere (POS, worker, simulator, tests).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const domainDir = join(dirname(fileURLToPath(import.meta.url)), '../../src/domain');
const files = readdirSync(domainDir).filter((f) => f.endsWith('.ts'));

// import … from '…', export … from '…', import '…', import('…'), require('…')
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"`])([^'"`]+)\1/g;

t.ok(files.length >= 13, 'the domain files are found');
t.ok(files.includes('index.ts'));

for (const file of files) {
  t.test(file, async (t) => {
    const source = readFileSync(join(domainDir, file), 'utf8');
    const specifiers = [...source.matchAll(SPECIFIER)].map((m) => m[2] ?? '');
    for (const s of specifiers) {
      t.match(s, /^\.\/[\w.-]+\.js$/, `${file} imports only sibling domain files (found ${s})`);
    }
    t.notMatch(source, /\bprocess\.(env|stdout|stderr|exit|cwd)\b/, 'no process access');
    t.notMatch(source, /\b(fetch|setTimeout|setInterval|XMLHttpRequest)\s*\(/, 'no network or timers');
    t.ok(source.split('\n').length <= 300, `${file} stays under 300 lines`);
  });
}

t.test('index re-exports every domain file', async (t) => {
  const index = readFileSync(join(domainDir, 'index.ts'), 'utf8');
  for (const file of files.filter((f) => f !== 'index.ts')) {
    t.match(index, `export * from './${file.replace(/\.ts$/, '.js')}'`, file);
  }
});
