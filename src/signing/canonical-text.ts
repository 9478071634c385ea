/**
 * Text-level handling of XML that is already in W3C inclusive C14N form (see xmldsig.ts): no
 * parser, no re-serialisation. In such text a raw '<' only ever starts markup (C14N escapes it in
 * text and attribute values), which is what makes substring extraction exact.
 */

export class XmlSignatureError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'XmlSignatureError';
    this.code = code;
  }
}

export interface ElementRange {
  start: number;
  end: number;
  text: string;
}

const NAME = '[A-Za-z_][A-Za-z0-9_.-]*';
const ATTR = ` [^\\s="<>/]+="[^"<]*"`;
const START_TAG_PREFIX = new RegExp(`^<${NAME}(?:${ATTR})*$`);
const START_TAG_REST = new RegExp(`(?:${ATTR})*(/?)>`, 'y');
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function isNcName(s: string): boolean {
  return NCNAME.test(s);
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** If `pos` is where an attribute (its leading space) sits inside a start tag, that tag's '<'. */
function startTagAround(xml: string, pos: number): number {
  const lt = xml.lastIndexOf('<', pos);
  return lt >= 0 && START_TAG_PREFIX.test(xml.slice(lt, pos)) ? lt : -1;
}

/** End (exclusive) of the start tag at `lt`, and whether it closes itself. */
function startTagEnd(xml: string, lt: number, name: string): { end: number; selfClosing: boolean } {
  START_TAG_REST.lastIndex = lt + 1 + name.length;
  const m = START_TAG_REST.exec(xml);
  if (!m) throw new XmlSignatureError('xmldsig.malformed', `Malformed start tag <${name} at offset ${lt}`);
  return { end: START_TAG_REST.lastIndex, selfClosing: m[1] === '/' };
}

/** The element starting at `lt`, through its matching end tag (same-name nesting counted). */
export function elementAt(xml: string, lt: number): ElementRange {
  const name = /^<([A-Za-z_][A-Za-z0-9_.:-]*)/.exec(xml.slice(lt, lt + 200))?.[1];
  if (!name) throw new XmlSignatureError('xmldsig.malformed', `No element starts at offset ${lt}`);
  const open = startTagEnd(xml, lt, name);
  if (open.selfClosing) return { start: lt, end: open.end, text: xml.slice(lt, open.end) };
  const tags = new RegExp(`<(/?)${escapeRegExp(name)}(?=[\\s/>])`, 'g');
  tags.lastIndex = open.end;
  let depth = 1;
  for (let m = tags.exec(xml); m; m = tags.exec(xml)) {
    if (m[1] === '/') {
      if (--depth === 0) {
        const end = xml.indexOf('>', m.index) + 1;
        return { start: lt, end, text: xml.slice(lt, end) };
      }
    } else if (!startTagEnd(xml, m.index, name).selfClosing) {
      depth++;
    }
  }
  throw new XmlSignatureError('xmldsig.malformed', `<${name}> at offset ${lt} is never closed`);
}

/** The one element carrying Id="<id>", found by text. Throws if there is none or more than one. */
export function extractElementById(xml: string, id: string): ElementRange {
  const needle = ` Id="${id}"`;
  const found: number[] = [];
  for (let pos = xml.indexOf(needle); pos >= 0; pos = xml.indexOf(needle, pos + needle.length)) {
    const lt = startTagAround(xml, pos);
    if (lt >= 0) found.push(lt);
  }
  const [lt] = found;
  if (lt === undefined) throw new XmlSignatureError('xmldsig.id_not_found', `No element has Id="${id}"`);
  if (found.length > 1) throw new XmlSignatureError('xmldsig.id_not_unique', `${found.length} elements have Id="${id}"`);
  return elementAt(xml, lt);
}

/** Escapes element text as C14N writes it. */
export function escapeCanonicalText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

const LT = 0x3c, GT = 0x3e, AMP = 0x26, QUOT = 0x22, SLASH = 0x2f, SPACE = 0x20, EQ = 0x3d, BANG = 0x21, QMARK = 0x3f;
const TEXT_REFS = ['&amp;', '&lt;', '&gt;', '&#xD;'];
const ATTR_REFS = ['&amp;', '&lt;', '&quot;', '&#x9;', '&#xA;', '&#xD;'];

const refAt = (s: string, i: number, refs: readonly string[]): number => refs.find((r) => s.startsWith(r, i))?.length ?? 0;

// Runs the scanner below skips in one native step each: a signed message is mostly text
// (certificates, signature values), and stepping through it a character at a time in JavaScript
// cost more than the RSA verification next to it.
/** A name, `[A-Za-z_][A-Za-z0-9_.-]*`. */
const NAME_RUN = /[A-Za-z_][A-Za-z0-9_.-]*/y;
/** An attribute name as far as it goes: up to a space, `=`, quote, `<`, `>`, `/` or other whitespace. */
const ATTRIBUTE_NAME = /[^ ="<>/\t\n\r]*/y;
/** Attribute-value characters that need no check. */
const PLAIN_VALUE = /[^"<&\t\n\r]*/y;
/** Text characters that need no check: all but markup, references and what C14N escapes. */
const PLAIN_TEXT = /[^<&>\r]*/y;

/** Where the run of `pattern` starting at `from` ends (`from` when it is empty). */
function runEnd(pattern: RegExp, s: string, from: number): number {
  pattern.lastIndex = from;
  return pattern.test(s) ? pattern.lastIndex : from;
}

/** End of the start tag's attributes at `j`, or why they are not written as C14N writes them. */
function attributesEnd(s: string, j: number, tag: string, state: { ns: string }): number | string {
  const n = s.length;
  let previous: string | null = null;
  while (s.charCodeAt(j) === SPACE) {
    const k = runEnd(ATTRIBUTE_NAME, s, j + 1);
    const attr = s.slice(j + 1, k);
    if (!attr || s.charCodeAt(k) !== EQ || s.charCodeAt(k + 1) !== QUOT) return `malformed attribute in <${tag}> at offset ${j}`;
    const valueStart = k + 2;
    let v = runEnd(PLAIN_VALUE, s, valueStart);
    while (v < n && s.charCodeAt(v) !== QUOT) {
      const len = s.charCodeAt(v) === AMP ? refAt(s, v, ATTR_REFS) : 0;
      if (!len) return `attribute ${attr} of <${tag}> not escaped as C14N does`;
      v = runEnd(PLAIN_VALUE, s, v + len);
    }
    if (v >= n) return `unterminated attribute in <${tag}>`;
    if (attr === 'xmlns') {
      if (previous !== null) return `xmlns is not the first attribute of <${tag}>`;
      const value = s.slice(valueStart, v);
      if (value === state.ns) return `redundant namespace declaration on <${tag}>`;
      state.ns = value;
    } else if (attr.includes(':')) {
      return `prefixed name ${attr} on <${tag}> (not supported)`;
    } else if (previous !== null && previous !== 'xmlns' && !(previous < attr)) {
      return `attributes of <${tag}> not in C14N order`;
    }
    previous = attr;
    j = v + 1;
  }
  return j;
}

/**
 * Why `fragment` (one element) is not byte-for-byte its own inclusive C14N form, or null if it is.
 * `inheritedDefaultNs` is the default namespace in scope at the element's parent.
 * Checked: tag and attribute layout, attribute order, escaping, no comments/PIs/CDATA/self-closing
 * tags, no namespace prefixes, no redundant default-namespace declarations. A hand-written scanner:
 * it runs on every signature, next to an RSA operation it must stay small against.
 */
export function nonCanonicalReason(fragment: string, inheritedDefaultNs = ''): string | null {
  const s = fragment;
  const n = s.length;
  const names: string[] = [];
  const spaces: string[] = [];
  if (n === 0 || s.charCodeAt(0) !== LT) return 'text outside the element at offset 0';
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === LT) {
      const next = s.charCodeAt(i + 1);
      if (next === SLASH) {
        const open = names[names.length - 1];
        // The usual case, checked without reading the name again: `</open>` closes the open tag.
        if (open !== undefined && s.startsWith(open, i + 2) && s.charCodeAt(i + 2 + open.length) === GT) {
          names.pop();
          spaces.pop();
          i += open.length + 3;
          if (names.length === 0 && i !== n) return `content after the element at offset ${i}`;
          continue;
        }
        const nameEnd = runEnd(NAME_RUN, s, i + 2);
        if (s.charCodeAt(nameEnd) !== GT) return `malformed end tag at offset ${i}`;
        const name = s.slice(i + 2, nameEnd);
        if (names.pop() !== name) return `mismatched </${name}> at offset ${i}`;
        spaces.pop();
        i = nameEnd + 1;
        if (names.length === 0 && i !== n) return `content after the element at offset ${i}`;
        continue;
      }
      if (next === BANG || next === QMARK) return `comment, PI, CDATA or DOCTYPE at offset ${i} (C14N drops or rewrites them)`;
      const nameEnd = runEnd(NAME_RUN, s, i + 1);
      if (nameEnd === i + 1) return `malformed start tag at offset ${i}`;
      const tag = s.slice(i + 1, nameEnd);
      const state = { ns: spaces.at(-1) ?? inheritedDefaultNs };
      const j = attributesEnd(s, nameEnd, tag, state);
      if (typeof j === 'string') return j;
      if (s.charCodeAt(j) === SLASH) return `self-closing <${tag}/> at offset ${i} (C14N writes <a></a>)`;
      if (s.charCodeAt(j) !== GT) return `start tag <${tag}> not written as C14N does at offset ${i}`;
      names.push(tag);
      spaces.push(state.ns);
      i = j + 1;
      continue;
    }
    if (names.length === 0) return `text outside the element at offset ${i}`;
    if (c === GT || c === 0x0d) return `text not escaped as C14N does at offset ${i}`;
    if (c === AMP) {
      const len = refAt(s, i, TEXT_REFS);
      if (!len) return `text not escaped as C14N does at offset ${i}`;
      i += len;
    }
    i = runEnd(PLAIN_TEXT, s, i);
  }
  return names.length === 0 ? null : 'unclosed element';
}

/**
 * Why the element starting at `start` would not be canonicalised as its bare text because of its
 * ancestors (a namespace or xml:* attribute they carry would be rendered on it), or null.
 * Signature elements that close before `start` (earlier signed invoices) are skipped over.
 */
export function ancestorContextReason(xml: string, start: number): string | null {
  if (xml.lastIndexOf('<!DOCTYPE', start) >= 0) return 'the document has a DOCTYPE (default attributes would change C14N)';
  for (let pos = xml.indexOf(' xml', 0); pos >= 0 && pos < start; pos = xml.indexOf(' xml', pos + 4)) {
    const after = xml.slice(pos + 4, pos + 7);
    if (!/^(?:ns[=:]|:)/.test(after)) continue;
    const lt = startTagAround(xml, pos);
    if (lt < 0) continue;
    if (xml.startsWith('<Signature ', lt)) {
      const close = xml.indexOf('</Signature>', lt);
      if (close >= 0 && close < start) {
        pos = close;
        continue;
      }
    }
    return `an ancestor of the signed element carries namespace or xml:* attributes (offset ${lt})`;
  }
  return null;
}
