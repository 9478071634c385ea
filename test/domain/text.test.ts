import t from 'tap';
import { DomainValidationError, findControlChars, isXmlSafeText, jsonPointer, normaliseText, prefixIssues } from '../../src/domain/index.js';

t.test('normaliseText', async (t) => {
  const nfd = 'Phở bò'.normalize('NFD');
  t.not(nfd, 'Phở bò'.normalize('NFC'));
  t.equal(normaliseText(`  ${nfd}\n`), 'Phở bò'.normalize('NFC'));
});

t.test('control characters XML 1.0 cannot carry', async (t) => {
  for (const bad of ['\u0000', 'a\u0008', '\u000B', '\u000C', '\u000E', '\u001F', '\uFFFE', '\uFFFF', '\uD800', 'a\uDC00b', '\uDBFFx']) {
    t.ok(findControlChars(bad), JSON.stringify(bad));
    t.notOk(isXmlSafeText(bad));
  }
  for (const good of ['', 'Phở bò tái', 'tab\there', 'line\nbreak\r', '\u007F', '\uE000', '\uFFFD', '😀', '\uD83D\uDE00']) {
    t.notOk(findControlChars(good), JSON.stringify(good));
    t.ok(isXmlSafeText(good));
  }
});

t.test('errors and pointers', async (t) => {
  t.equal(jsonPointer('items', 0, 'quantity'), '/items/0/quantity');
  t.equal(jsonPointer('a/b', 'c~d'), '/a~1b/c~0d');
  t.same(prefixIssues('/legalRepresentative', [{ path: '/sex', code: 'x', message: 'm' }]), [{ path: '/legalRepresentative/sex', code: 'x', message: 'm' }]);
  const e = new DomainValidationError('sale.invalid', [
    { path: '/items/0/quantity', code: 'zero', message: 'must not be zero' },
    { path: '/items/1/quantity', code: 'zero', message: 'must not be zero' },
  ]);
  t.ok(e instanceof Error);
  t.equal(e.name, 'DomainValidationError');
  t.equal(e.code, 'sale.invalid');
  t.equal(e.issues.length, 2);
  t.equal(e.message, '/items/0/quantity: must not be zero (and 1 more)');
  t.equal(new DomainValidationError('x', [], 'custom').message, 'custom');
  t.equal(new DomainValidationError('x', []).message, 'Invalid input');
});
