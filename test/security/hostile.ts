// Hostile input for the fuzz test: strings a POS, a browser or an attacker might send, and ways to
// mutate a valid body into an invalid (or still valid, but strange) one.
import fc from 'fast-check';

const LONE_SURROGATES = ['\ud800', '\udfff', 'a\ud83dz'];
const CONTROL = ['\u0000', '\u0007', '\u0008', '\u000b', '\u001b[31mred', '\u007f', '\u0085', 'tab\there', 'line\nbreak', 'cr\rlf'];
const XML = ['<', '>', '&', '"', "'", ']]>', '<![CDATA[x]]>', '&amp;', '&#0;', '&#x1;', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', '<ds:Signature/>', '</TTChung><TTChung>'];
const LOOKALIKES = [
  'Рhở bò', // Cyrillic Р
  'Ρhở bò', // Greek Ρ
  '０１０１２４３１５０', // fullwidth digits
  '001０85012345',
  'Phở\u200bbò', // zero-width space
  'Phở\u202ebò', // right-to-left override
  '\ufeffPhở', // byte-order mark
  'Pho\u0302\u0309 bo\u0300', // combining marks (NFD)
  'ﬁsh', // ligature
  '𝐏𝐡𝐨', // mathematical bold
  '8٪', // Arabic percent sign
  '８%',
];
const INJECTION = ['__proto__', 'constructor', 'prototype', '${jndi:ldap://x/a}', "'; drop table invoices; --", '../../etc/passwd', '%00', '\\', 'null', 'NaN', 'Infinity', '-0', '1e309', '{{7*7}}'];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...LONE_SURROGATES, ...CONTROL, ...XML, ...LOOKALIKES, ...INJECTION),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer({ min: 129, max: 70_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 100, max: 5000 }).map((n) => 'Ạ'.repeat(n)),
);

/** Arrays nested `depth` levels deep. */
export const nested = (depth: number): unknown => {
  let v: unknown = 'core';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 0, 1e21, 0.1 + 0.2, 123.4567891, -65000),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.integer({ min: 10, max: 800 }).map(nested),
  fc.array(fc.constant({ name: 'x', quantity: 1, unitPrice: 1 }), { minLength: 499, maxLength: 502 }),
  fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer()), { maxKeys: 5 }),
);

/** JSON-pointer-ish paths into a sale body. */
export const SALE_PATHS = [
  'soldAt',
  'pricesIncludeVat',
  'items',
  'items/0',
  'items/0/code',
  'items/0/name',
  'items/0/unit',
  'items/0/quantity',
  'items/0/unitPrice',
  'items/0/discount',
  'items/0/vatRate',
  'items/1',
  'payment',
  'payment/method',
  'buyer',
  'buyer/name',
  'buyer/personalId',
  'buyer/taxCode',
  'buyer/address',
  'buyer/phone',
  'buyer/idCardQr',
  'reason',
  'extra',
  'items/0/extra',
];

export function setPath(body: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  const parts = path.split('/');
  let at: Record<string, unknown> = copy;
  for (const p of parts.slice(0, -1)) {
    if (at[p] === null || typeof at[p] !== 'object') at[p] = {};
    at = at[p] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]!] = value;
  return copy;
}

/** Own `__proto__` / `constructor.prototype` keys, as raw JSON text (JSON.stringify cannot make them). */
export function withPollution(json: string, where: 'top' | 'nested'): string {
  const poison = '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},';
  if (where === 'top' || json.indexOf('{', 1) < 0) return json.replace('{', `{${poison}`);
  const at = json.indexOf('{', 1);
  return `${json.slice(0, at + 1)}${poison}${json.slice(at + 1)}`;
}
