import t from 'tap';
import { runSignBench, sampleInvoiceXml, throwawaySigner } from '../../src/signing/bench.js';
import { extractElementById, nonCanonicalReason } from '../../src/signing/canonical-text.js';
import { signEnveloped, verifyEnveloped } from '../../src/signing/xmldsig.js';

t.test('the sample invoice is a realistic, canonical ~3 KB document', async (t) => {
  const xml = sampleInvoiceXml();
  t.ok(Buffer.byteLength(xml) > 2500 && Buffer.byteLength(xml) < 4000, `${Buffer.byteLength(xml)} bytes`);
  t.equal((xml.match(/<HHDVu>/g) ?? []).length, 5, 'five lines');
  t.equal(nonCanonicalReason(extractElementById(xml, '_bench').text), null);
  const signer = throwawaySigner();
  const signed = signEnveloped(xml, { signer, referenceId: '_bench', placeholder: '<NBan></NBan>', signingTime: new Date() });
  t.ok(verifyEnveloped(signed, { referenceId: '_bench', trustedCertsDer: [signer.certificateDer] }).ok);
});

t.test('runSignBench measures and reports both rates', async (t) => {
  const lines: string[] = [];
  const r = runSignBench({ durationMs: 40, log: (l) => lines.push(l) });
  t.ok(r.rawSignsPerSecond > 0 && r.envelopedSignsPerSecond > 0);
  t.ok(r.ratio > 0 && r.ratio < 2, `ratio ${r.ratio}`);
  t.equal(lines.length, 3);
  t.match(lines.join('\n'), /raw RSA-2048[\s\S]*signEnveloped[\s\S]*ratio/);
});
