// `TgTTTBChu`: the total in Vietnamese words (spec §7), as printed under the amounts.

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'] as const;
// Scale words inside a block of nine digits; each further block multiplies by "tỷ"
// (10^12 "nghìn tỷ", 10^15 "triệu tỷ", 10^18 "tỷ tỷ"), which reads any size.
const GROUP_SCALES = ['', 'nghìn', 'triệu'] as const;

export function amountInWords(n: number | bigint): string {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) {
    throw new RangeError('amountInWords needs a whole number within the safe integer range');
  }
  let value = BigInt(n);
  // A negative total only appears on adjustment invoices. **[unsure]** wording "Âm".
  const negative = value < 0n;
  if (negative) value = -value;
  if (value === 0n) return 'Không đồng';

  const groups: number[] = [];
  for (let v = value; v > 0n; v /= 1000n) groups.push(Number(v % 1000n));

  const words: string[] = [];
  let leading = true;
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i] ?? 0;
    const tyPower = Math.floor(i / 3);
    if (g !== 0) {
      // The leading group reads short ("hai mươi"); any later group reads all three digits
      // ("không trăm hai mươi") so 1 020 is not heard as 1 + 20.
      words.push(readTriple(g, !leading));
      const scale = GROUP_SCALES[i % 3];
      if (scale) words.push(scale);
      leading = false;
    }
    // "tỷ" closes a block of nine digits once, after its last non-empty group.
    if (i % 3 === 0 && tyPower > 0 && blockHasValue(groups, tyPower)) {
      for (let k = 0; k < tyPower; k++) words.push('tỷ');
    }
  }
  const text = (negative ? 'âm ' : '') + words.join(' ') + ' đồng';
  return (text.charAt(0).toUpperCase() + text.slice(1)).normalize('NFC');
}

function blockHasValue(groups: number[], tyPower: number): boolean {
  return [0, 1, 2].some((j) => (groups[tyPower * 3 + j] ?? 0) !== 0);
}

function readTriple(n: number, full: boolean): string {
  const h = Math.floor(n / 100);
  const t = Math.floor(n / 10) % 10;
  const u = n % 10;
  const out: string[] = [];
  if (full || h > 0) out.push(DIGITS[h] ?? '', 'trăm');
  if (t === 0) {
    if (u > 0) {
      if (out.length > 0) out.push('linh');
      out.push(DIGITS[u] ?? '');
    }
  } else {
    out.push(t === 1 ? 'mười' : `${DIGITS[t]} mươi`);
    if (u === 1 && t >= 2) out.push('mốt');
    else if (u === 5) out.push('lăm');
    else if (u > 0) out.push(DIGITS[u] ?? '');
  }
  return out.join(' ');
}
