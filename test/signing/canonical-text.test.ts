/**
 * The canonical-text checks that make substring digests safe, judged by libxml2's C14N
 * (`xmllint --c14n`): text we accept must come out of C14N unchanged.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ancestorContextReason,
  escapeCanonicalText,
  extractElementById,
  nonCanonicalReason,
  XmlSignatureError,
} from '../../src/signing/canonical-text.js';

const dir = t.testdir({});
let fileNo = 0;

function xmllintC14n(xml: string): string {
  const file = join(dir, `c14n-${++fileNo}.xml`);
  writeFileSync(file, xml);
  const run = spawnSync('/usr/bin/xmllint', ['--c14n', file], { encoding: 'utf8' });
  if (run.error) throw new Error(`xmllint is needed for these tests (apt-get install libxml2-utils): ${run.error.message}`);
  return run.stdout;
}

const canonical = [
  '<a></a>',
  '<a b="1" c="x&amp;&lt;&quot;&#x9;&#xA;&#xD;>y"><b></b>text &amp; &lt; &gt; "q" \'a\' &#xD;<c d=""></c></a>',
  '<a>\n  <b>Phở bò tái, 65.000đ</b>\n</a>',
  '<a xmlns="urn:x"><b></b></a>',
  '<a B="1" a="2" a1="3"></a>',
  '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="x"><SignedInfo></SignedInfo></Signature>',
  '<a><a Id="1"><a></a></a><a.b-c_d></a.b-c_d></a>',
  '<HDon><DLHDon Id="_1"><Ten>Phở bò &amp; "bia" &lt;Hà Nội&gt;</Ten></DLHDon><DSCKS><NBan><Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="s"></Signature></NBan></DSCKS></HDon>',
];

const notCanonical = [
  '<a/>',
  '<a b="2" a="1"></a>',
  '<a  b="1"></a>',
  '<a b = "1"></a>',
  "<a b='1'></a>",
  '<a >x</a>',
  '<a>x &apos; y</a>',
  '<a>&#65;</a>',
  '<a>x > y</a>',
  '<a b="&gt;"></a>',
  '<a>&quot;</a>',
  '<a b="1" xmlns="urn:x"></a>',
  '<a xmlns="urn:x"><b xmlns="urn:x"></b></a>',
  '<a><![CDATA[x<y]]></a>',
  '<a>x\r\ny</a>',
  '<a b="x\ty"></a>',
  '<a b="x\ny"></a>',
];

t.test('text accepted as canonical is what libxml2 C14N produces', async (t) => {
  for (const xml of canonical) {
    t.equal(nonCanonicalReason(xml), null, `accepted: ${xml}`);
    t.equal(xmllintC14n(xml), xml, `xmllint --c14n keeps it: ${xml}`);
  }
});

t.test('text refused is text C14N would change', async (t) => {
  for (const xml of notCanonical) {
    t.type(nonCanonicalReason(xml), 'string', `refused: ${JSON.stringify(xml)}`);
    t.not(xmllintC14n(xml), xml, `xmllint --c14n changes it: ${JSON.stringify(xml)}`);
  }
});

t.test('refused conservatively: structure or markup the verifier does not handle', async (t) => {
  for (const xml of [
    '<a><!--c--></a>',
    '<a><?pi x?></a>', // C14N keeps PIs, but the invoice builder never writes one
    '<p:a xmlns:p="urn:p"></p:a>',
    '<a p:b="1" xmlns:p="urn:p"></a>',
    '<a></a><b></b>',
    'x<a></a>',
    '<a></a>x',
    '<a><b></a></b>',
    '<a><b></b>',
    '',
    '<a b="1></a>',
    '<a b></a>',
    '<1a></1a>',
    '</a>',
  ]) {
    t.type(nonCanonicalReason(xml), 'string', `refused: ${JSON.stringify(xml)}`);
  }
  t.match(nonCanonicalReason('<a xmlns="urn:x"></a>', 'urn:x'), /redundant/, 'inherited default namespace');
  t.match(nonCanonicalReason('<a a="1" a="2"></a>'), /order/, 'duplicate attribute');
});

t.test('the reason names what is wrong and where (it goes into the 204)', async (t) => {
  const reasons: Array<[string, string | null]> = [
    ['<a>plain text, then a raw > here</a>', 'text not escaped as C14N does at offset 26'],
    ['<a><b>Phở bò tái\r</b></a>', 'text not escaped as C14N does at offset 16'],
    ['<a>AT&T</a>', 'text not escaped as C14N does at offset 5'],
    ['<a>x &amp; y &lt; z &gt; w &#xD;</a>', null],
    ['<a b="x&quot;y&#x9;z&#xA;&#xD;&amp;&lt;"></a>', null],
    ['<a b="x&gt;y"></a>', 'attribute b of <a> not escaped as C14N does'],
    ['<a b="x<y"></a>', 'attribute b of <a> not escaped as C14N does'],
    ['<a b="unterminated></a>', 'attribute b of <a> not escaped as C14N does'],
    ['<a b="1" c="2" xmlns="urn:x"></a>', 'xmlns is not the first attribute of <a>'],
    ['<a c="1" b="2"></a>', 'attributes of <a> not in C14N order'],
    ['<a p:b="1"></a>', 'prefixed name p:b on <a> (not supported)'],
    ['<a><b></c></a>', 'mismatched </c> at offset 6'],
    ['<a><b></b ></a>', 'malformed end tag at offset 6'],
    ['<a><b></b></a>trailing', 'content after the element at offset 14'],
    ['<a><b>text</b></a></a>', 'content after the element at offset 18'],
    ['<a><b/></a>', 'self-closing <b/> at offset 3 (C14N writes <a></a>)'],
    ['<a><!--c--></a>', 'comment, PI, CDATA or DOCTYPE at offset 3 (C14N drops or rewrites them)'],
    ['<a><b></b>', 'unclosed element'],
    ['<a xmlns="urn:x"><b xmlns="urn:y"><c xmlns="urn:y"></c></b></a>', 'redundant namespace declaration on <c>'],
  ];
  for (const [xml, reason] of reasons) t.equal(nonCanonicalReason(xml), reason, JSON.stringify(xml));
});

t.test('escapeCanonicalText', async (t) => {
  t.equal(escapeCanonicalText('a & b < c > d "e" \'f\'\r\n'), 'a &amp; b &lt; c &gt; d "e" \'f\'&#xD;\n');
  const xml = `<a>${escapeCanonicalText('Công ty <A> & "B"\r')}</a>`;
  t.equal(nonCanonicalReason(xml), null);
  t.equal(xmllintC14n(xml), xml);
});

t.test('extractElementById', async (t) => {
  const xml = '<r><x Id="a"><x><x a="1"></x></x><y>Id="b" in text</y><x></x></x><x Id="ab"></x><z q="1" Id="c"></z></r>';
  t.same(extractElementById(xml, 'a'), {
    start: 3,
    end: 65,
    text: '<x Id="a"><x><x a="1"></x></x><y>Id="b" in text</y><x></x></x>',
  }, 'same-name nesting is counted');
  t.equal(extractElementById(xml, 'ab').text, '<x Id="ab"></x>');
  t.equal(extractElementById(xml, 'c').text, '<z q="1" Id="c"></z>', 'Id need not be the first attribute');
  t.throws(() => extractElementById(xml, 'b'), XmlSignatureError);
  t.throws(() => extractElementById(xml, 'b'), { code: 'xmldsig.id_not_found' }, 'Id="…" in text is not an attribute');
  t.throws(() => extractElementById('<r><a Id="d"></a><b Id="d"></b></r>', 'd'), { code: 'xmldsig.id_not_unique' });
  t.throws(() => extractElementById('<r><a Id="d"><a></r>', 'd'), { name: 'XmlSignatureError', code: 'xmldsig.malformed', message: /never closed/ });
  t.equal(extractElementById('<r><a Id="e"/><a></a></r>', 'e').text, '<a Id="e"/>', 'self-closing element');
  t.equal(extractElementById('<r><a Id="f"><a/><b c="x>y"></b></a></r>', 'f').text, '<a Id="f"><a/><b c="x>y"></b></a>');
});

t.test('ancestorContextReason', async (t) => {
  const at = (xml: string): number => xml.indexOf('<DLHDon');
  const plain = '<?xml version="1.0"?>\n<HDon><DLHDon Id="_1"></DLHDon></HDon>';
  t.equal(ancestorContextReason(plain, at(plain)), null);
  const withNs = '<HDon xmlns="urn:x"><DLHDon Id="_1"></DLHDon></HDon>';
  t.match(ancestorContextReason(withNs, at(withNs)), /namespace/);
  const withLang = '<HDon xml:lang="vi"><DLHDon Id="_1"></DLHDon></HDon>';
  t.match(ancestorContextReason(withLang, at(withLang)), /xml:/);
  const withDoctype = '<!DOCTYPE HDon [<!ATTLIST DLHDon x CDATA "1">]><HDon><DLHDon Id="_1"></DLHDon></HDon>';
  t.match(ancestorContextReason(withDoctype, at(withDoctype)), /DOCTYPE/);
  const afterSignature =
    '<DLieu><HDon><DSCKS><NBan><Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="s"></Signature></NBan></DSCKS></HDon>' +
    '<HDon><DLHDon Id="_2"></DLHDon></HDon></DLieu>';
  t.equal(ancestorContextReason(afterSignature, at(afterSignature)), null, 'earlier, closed signatures do not count');
  const inText = '<HDon><Ten> xmlns="urn:x"</Ten><DLHDon Id="_1"></DLHDon></HDon>';
  t.equal(ancestorContextReason(inText, at(inText)), null, '"xmlns" in text is not a declaration');
});
