import fc from 'fast-check';
import t from 'tap';
import {
  BIRTH_PROVINCES,
  checkPersonAgainstId,
  isProvinceCode,
  makePersonalId,
  maskPersonalId,
  parseIdCardQr,
  PROVINCE_CODES,
  PROVINCES,
  provinceName,
  validatePersonalId,
} from '../../src/domain/index.js';

const NOW = new Date('2026-11-27T12:00:00Z');

t.test('valid IDs decode province, sex and birth year', async (t) => {
  t.same(validatePersonalId('001099012345', NOW), {
    ok: true,
    value: '001099012345',
    provinceCode: '001',
    provinceName: 'Hà Nội',
    sex: 'male',
    birthYear: 1999,
  });
  const hcm = validatePersonalId('079 185 000042', NOW);
  t.ok(hcm.ok && hcm.value === '079185000042' && hcm.sex === 'female' && hcm.birthYear === 1985 && hcm.provinceName === 'Hồ Chí Minh');
  const young = validatePersonalId('096305123456', NOW);
  t.ok(young.ok && young.sex === 'female' && young.birthYear === 2005 && young.provinceName === 'Cà Mau');
});

t.test('invalid IDs give their reason', async (t) => {
  const reason = (s: string, now = NOW) => {
    const r = validatePersonalId(s, now);
    return r.ok ? 'ok' : r.reason;
  };
  t.equal(reason('00109901234'), 'format');
  t.equal(reason('0010990123456'), 'format');
  t.equal(reason('00109901234a'), 'format');
  t.equal(reason(''), 'format');
  t.equal(reason(null as unknown as string), 'format');
  t.equal(reason('003099012345'), 'province');
  t.equal(reason('000099012345'), 'province');
  t.equal(reason('097099012345'), 'province');
  t.equal(reason('001227012345'), 'birth_year', 'born 2027, seen in 2026');
  t.equal(reason('001226012345'), 'ok', 'born this year');
  t.equal(reason('001499012345'), 'birth_year', 'digit 4 is the 2100s');
  t.equal(reason('001226012345', new Date('2025-12-31T16:59:59Z')), 'birth_year', 'still 2025 in Hà Nội');
  t.equal(reason('001226012345', new Date('2025-12-31T17:00:00Z')), 'ok', 'already 2026 in Hà Nội');
});

t.test('the 63 birth provinces and the 34 current provinces', async (t) => {
  t.equal(Object.keys(BIRTH_PROVINCES).length, 63);
  t.equal(BIRTH_PROVINCES['096'], 'Cà Mau');
  t.equal(BIRTH_PROVINCES['046'], 'Thừa Thiên Huế');
  t.equal(PROVINCE_CODES.length, 34);
  t.equal(PROVINCES['79'], 'TP Hồ Chí Minh');
  t.equal(provinceName('46'), 'Huế');
  t.equal(provinceName('02'), undefined);
  t.ok(isProvinceCode('01'));
  t.notOk(isProvinceCode('1'));
  t.notOk(isProvinceCode('toString'));
  for (const name of [...Object.values(BIRTH_PROVINCES), ...Object.values(PROVINCES)]) t.equal(name, name.normalize('NFC'));
});

t.test('masking', async (t) => {
  t.equal(maskPersonalId('001099012345'), '001*******45');
  t.equal(maskPersonalId('12345'), '*****');
});

t.test('makePersonalId round-trips through validation', async (t) => {
  const provinces = Object.keys(BIRTH_PROVINCES);
  fc.assert(
    fc.property(
      fc.constantFrom(...provinces),
      fc.constantFrom<'male' | 'female'>('male', 'female'),
      fc.integer({ min: 1900, max: 2026 }),
      fc.integer({ min: 0, max: 999_999 }),
      (province, sex, birthYear, serial) => {
        const id = makePersonalId({ province, sex, birthYear, serial });
        const r = validatePersonalId(id, NOW);
        return r.ok && r.provinceCode === province && r.sex === sex && r.birthYear === birthYear && Number(id.slice(6)) === serial;
      },
    ),
  );
  t.equal(makePersonalId({ province: '001', sex: 'male', birthYear: 1999, serial: 12345 }), '001099012345');
  t.equal(makePersonalId({ province: '001', sex: 'female', birthYear: 2399, serial: 1 }), '001999000001');
  t.throws(() => makePersonalId({ province: '003', sex: 'male', birthYear: 1999, serial: 1 }), RangeError);
  t.throws(() => makePersonalId({ province: '001', sex: 'male', birthYear: 1899, serial: 1 }), RangeError);
  t.throws(() => makePersonalId({ province: '001', sex: 'male', birthYear: 1999, serial: 1_000_000 }), RangeError);
});

t.test('legal representative check', async (t) => {
  t.same(checkPersonAgainstId('001099012345', '1999-03-15', 'male', NOW), []);
  t.same(
    checkPersonAgainstId('001099012345', '1998-03-15', 'female', NOW).map((i) => `${i.path} ${i.code}`),
    ['/birthDate mismatch', '/sex mismatch'],
  );
  t.same(
    checkPersonAgainstId('003099012345', '1999-02-30', 'man', NOW).map((i) => `${i.path} ${i.code}`),
    ['/personalId province', '/birthDate format', '/sex invalid'],
  );
  t.same(checkPersonAgainstId('001226012345', '2026-12-01', 'male', NOW).map((i) => `${i.path} ${i.code}`), ['/birthDate in_future']);
});

const QR = '001099012345|123456789|Nguyễn Văn A|15031999|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|01022021';

t.test('chip ID card QR', async (t) => {
  t.same(parseIdCardQr(QR, NOW), {
    ok: true,
    value: {
      personalId: '001099012345',
      oldId: '123456789',
      name: 'Nguyễn Văn A',
      birthDate: '1999-03-15',
      sex: 'male',
      address: 'Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội',
      issuedOn: '2021-02-01',
    },
  });
  const nfd = parseIdCardQr('096305123456||Trần Thị Bích Ngọc|02012005|Nữ|Cà Mau|10102022\r\n'.normalize('NFD'), NOW);
  t.ok(nfd.ok);
  if (nfd.ok) {
    t.equal(nfd.value.name, 'Trần Thị Bích Ngọc'.normalize('NFC'));
    t.equal(nfd.value.sex, 'female');
    t.equal(nfd.value.oldId, undefined);
  }
  t.ok(parseIdCardQr(QR + '|extra', NOW).ok, 'later fields are ignored');
});

t.test('chip ID card QR that disagrees with the ID', async (t) => {
  const sex = parseIdCardQr(QR.replace('|Nam|', '|Nữ|'), NOW);
  t.same(sex, { ok: false, code: 'id_card_qr.mismatch', issues: [{ path: '/sex', code: 'mismatch', message: 'the personal ID says the person is male' }] });
  const year = parseIdCardQr(QR.replace('15031999', '15031998'), NOW);
  t.equal(year.ok ? 'ok' : year.code, 'id_card_qr.mismatch');
  t.same(year.ok ? [] : year.issues.map((i) => i.path), ['/birthDate']);
});

t.test('malformed chip ID card QR lists why', async (t) => {
  const issues = (s: string) => {
    const r = parseIdCardQr(s, NOW);
    return r.ok ? [] : [r.code, ...r.issues.map((i) => `${i.path} ${i.code}`)];
  };
  t.same(issues('001099012345|123456789|Nguyễn Văn A|15031999|Nam|Hà Nội'), ['id_card_qr.invalid', ' format']);
  t.same(issues('00109901234|12345|  |31021999|X|Hà Nội|01012030'), [
    'id_card_qr.invalid',
    '/personalId format',
    '/oldId format',
    '/name invalid',
    '/birthDate format',
    '/sex invalid',
    '/issuedOn in_future',
  ]);
  t.same(issues('001099012345||A|15031999|Nam|Hà Nội|01011990'), ['id_card_qr.invalid', '/issuedOn before_birth']);
  t.same(issues('001226012345||A|15122026|Nam|Hà Nội|15122026'), ['id_card_qr.invalid', '/birthDate in_future', '/issuedOn in_future']);
  t.same(issues(42 as unknown as string), ['id_card_qr.invalid', ' format']);
});
