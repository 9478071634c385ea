// The staff dashboard in a real browser (Debian's Chromium through playwright-core) against the
// real app and a real database: sign-in, tiles and charts with the API's numbers, the province
// filter, a flagged business with its signals, XML and CSV downloads, the buyer search; and an
// officer of one province who sees only that province everywhere. Screenshots land in
// test/artifacts/dashboard/.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DASHBOARD_CSP } from '../../src/dashboard/dashboard.routes.js';
import { assetsMissing, BUYER_ID, buildWorld, dataOf, int, launch, login, money, openTab, paintedPixels, shot } from './helpers.js';

interface Overview {
  businesses: { registered: number; active: number };
  today: { invoices: number; revenue: number };
}
interface RiskList {
  items: Array<{ taxCode: string; name: string; score: number; signals: Array<{ code: string; detail: string }> }>;
}

const missing = assetsMissing();
if (missing) {
  t.fail(missing);
} else {
  t.test('the tax-staff dashboard', async (t) => {
    const started = Date.now();
    const [w, browser] = await Promise.all([buildWorld(t), launch(t)]);
    t.comment(`world ready in ${Date.now() - started} ms`);
    const tile = (page: import('playwright-core').Page, label: string) => page.locator(`[data-tile="${label}"] .tile-value`);

    await t.test('an admin signs in and sees tiles and charts with the numbers of the API', async (t) => {
      const { context, page, problems } = await openTab(browser);
      t.teardown(() => context.close());
      const res = await page.goto(`${w.base}/dashboard`);
      const csp = res?.headers()['content-security-policy'] ?? '';
      t.match(csp, /default-src 'self'/, 'served with a CSP');
      t.notMatch(csp, /script-src[^;]*'unsafe-(inline|eval)'/, 'which runs no inline script and no eval');
      t.equal(DASHBOARD_CSP.includes("default-src 'self'"), true, "the page's own fallback policy is self-only too");
      await page.getByLabel('Mã truy cập').fill('stf_thisTokenDoesNotExistAnywhere0000');
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await t.resolves(page.getByRole('alert').filter({ hasText: 'Mã truy cập không đúng' }).waitFor(), 'a wrong token is refused in plain words');

      await login(page, w.base, w.admin);
      t.equal(await page.evaluate('document.cookie'), '', 'no cookie');
      t.equal(await page.evaluate(`sessionStorage.getItem('hoadon-mtt.staff-token')`), w.admin, 'the token is kept in sessionStorage');
      t.equal(await page.evaluate('localStorage.length'), 0, 'and nowhere else');

      const all = await w.get<Overview>(w.admin, '/v1/stats/overview');
      t.ok(all.today.invoices > 0, 'the demo issued invoices today');
      t.equal(await tile(page, 'Hóa đơn hôm nay').textContent(), int(all.today.invoices));
      t.equal(await tile(page, 'Cơ sở đã đăng ký').textContent(), int(all.businesses.registered));
      const revenue = await tile(page, 'Doanh thu hôm nay (chưa thuế)').textContent();
      t.equal(revenue, money(all.today.revenue));
      t.match(revenue, /^\d{1,3}(\.\d{3})+\s₫$/, 'money reads 1.284.000 ₫');

      await page.locator('#chart-revenue canvas').waitFor();
      for (const chart of ['#chart-invoices', '#chart-revenue']) {
        t.equal(await page.locator(`${chart} canvas`).getAttribute('data-points'), '30', `${chart}: 30 days`);
        t.ok((await paintedPixels(page, `${chart} canvas`)) > 500, `${chart} is drawn`);
      }
      t.same(await dataOf(page.locator('#province-table tbody tr'), 'province'), ['01', '79'], 'the province table');
      await shot(page, '01-admin-overview');

      // Filter by province: tiles and the chart follow.
      await page.locator('#province-filter').selectOption('79');
      const hcm = await w.get<Overview>(w.admin, '/v1/stats/overview?provinceCode=79');
      await t.resolves(tile(page, 'Hóa đơn hôm nay').filter({ hasText: new RegExp(`^${int(hcm.today.invoices)}$`) }).waitFor(), 'tiles of TP Hồ Chí Minh');
      t.equal(await tile(page, 'Cơ sở đã đăng ký').textContent(), int(hcm.businesses.registered));
      const series = (await w.get<{ series: Array<{ invoices: number }> }>(w.admin, '/v1/stats/volume?provinceCode=79')).series;
      const expected = series.reduce((a, p) => a + p.invoices, 0);
      await page.waitForFunction(
        `[...document.querySelectorAll('#chart-invoices tbody td')].reduce((a, td) => a + Number(td.textContent.replace(/\\./g, '')), 0) === ${expected}`,
      );
      t.pass(`the invoice chart sums to ${expected}, the province's invoices`);
      t.ok(await page.locator('#province-table tr[data-province="79"].selected').count(), 'the chosen province is marked in the table');
      await shot(page, '02-admin-province-79');
      t.same(problems, [], 'no console errors or CSP refusals');
    });

    await t.test('a flagged business: its signals, revenue against baseline, numbering, signatures, XML', async (t) => {
      const { context, page, problems } = await openTab(browser);
      t.teardown(() => context.close());
      await login(page, w.base, w.admin);
      const risk = await w.get<RiskList>(w.admin, '/v1/risk/businesses?limit=200');
      t.ok(risk.items.length > 0, 'the evaluation flagged businesses');
      await page.getByRole('link', { name: 'Rủi ro' }).click();
      await page.locator('#risk-list').waitFor();
      t.same(await dataOf(page.locator('#risk-list > li'), 'taxCode'), risk.items.map((i) => i.taxCode), 'the list, highest score first');
      const top = risk.items[0]!;
      for (const s of top.signals) t.ok(await page.locator(`[data-tax-code="${top.taxCode}"] [data-signal="${s.code}"]`).filter({ hasText: s.detail }).count(), `${s.code} explained`);
      await shot(page, '03-risk-list');

      await page.getByRole('link', { name: top.name, exact: true }).first().click();
      await page.locator('#business-signals').waitFor();
      t.equal(await page.locator('h1').textContent(), top.name);
      for (const s of top.signals) t.ok(await page.locator('#business-signals').filter({ hasText: s.detail }).count(), `${s.code} on the business page`);
      await page.locator('#chart-baseline canvas').waitFor();
      t.ok((await paintedPixels(page, '#chart-baseline canvas')) > 500, 'daily revenue against its baseline is drawn');
      t.ok(await page.locator('#terminals tbody tr').count(), 'its terminals');
      await t.resolves(page.locator('#sequences').getByText('Liên tục, không thiếu số').first().waitFor(), 'the number series is whole');
      await page.locator('td.signature').first().getByText('Hợp lệ').waitFor();
      const rows = await page.locator('table.invoices tbody tr').count();
      t.equal(await page.locator('td.signature').getByText('Hợp lệ', { exact: true }).count(), rows, 'every recent invoice has a valid signature');

      const [xml] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Tải XML/ }).first().click()]);
      t.match(xml.suggestedFilename(), /^M\d-\d{2}-[A-Z0-9]{5}-\d{11}\.xml$/, 'the XML is saved under its code');
      t.match(readFileSync((await xml.path())!, 'utf8'), /<HDon><DLHDon Id="/, 'the signed invoice');
      await shot(page, '04-business');
      t.same(problems, [], 'no console errors or CSP refusals');
    });

    await t.test('the invoice list exports its filter as CSV; the buyer search asks for a reason', async (t) => {
      const { context, page, problems } = await openTab(browser);
      t.teardown(() => context.close());
      await login(page, w.base, w.admin);
      await page.getByRole('link', { name: 'Hóa đơn', exact: true }).click();
      await page.locator('table.invoices').waitFor();
      await page.locator('#province-filter').selectOption('79');
      await page.getByRole('button', { name: 'Tìm' }).click();
      const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Xuất CSV' }).click()]);
      t.match(csv.suggestedFilename(), /\.csv$/);
      const text = readFileSync((await csv.path())!, 'utf8');
      t.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 with BOM');
      const expected = await w.app.inject({ method: 'GET', url: '/v1/invoices/export?provinceCode=79', headers: { authorization: `Bearer ${w.admin}` } });
      t.equal(text.trim().split('\n').length, expected.body.trim().split('\n').length, 'the rows of the filter');
      await page.getByText(/Đã tải về tệp/).waitFor();
      await shot(page, '05-invoices');

      await page.getByRole('link', { name: 'Tra cứu người mua' }).click();
      await page.getByLabel(/Số định danh cá nhân/).fill(BUYER_ID);
      await page.getByRole('button', { name: 'Tra cứu' }).click();
      await t.resolves(page.getByRole('alert').filter({ hasText: 'lý do tra cứu' }).waitFor(), 'no search without a reason');
      await page.getByLabel(/Lý do tra cứu/).fill('Hồ sơ kiểm tra số 12/2026/KT');
      await page.getByRole('button', { name: 'Tra cứu' }).click();
      await page.locator('#buyer-results').waitFor();
      t.match(await page.locator('#buyer-results .summary').textContent(), /3 hóa đơn, tổng 390\.000\s₫/, 'three invoices in two provinces');
      t.equal(await page.locator('#buyer-results tbody tr').count(), 3);
      await shot(page, '06-buyer-search');
      t.same(problems, [], 'no console errors or CSP refusals');
    });

    await t.test("an officer's token shows only its provinces everywhere", async (t) => {
      const { context, page, problems } = await openTab(browser);
      t.teardown(() => context.close());
      // Keyboard only: the token field has the focus, Enter signs in, links open with Enter.
      await page.goto(`${w.base}/dashboard`);
      await page.locator('#token:focus').waitFor();
      await page.keyboard.type(w.officer);
      await page.keyboard.press('Enter');
      await page.locator('#tiles').waitFor();
      await page.getByText('Cán bộ thuế · Hà Nội').waitFor();
      t.same(await page.locator('#province-filter option').evaluateAll((options: Array<{ value: string }>) => options.map((o) => o.value)), ['01'], 'the province filter offers Hà Nội only');
      t.equal(await page.locator('#province-filter').inputValue(), '01', 'and shows it chosen');
      const mine = await w.get<Overview>(w.officer, '/v1/stats/overview');
      t.equal(await tile(page, 'Hóa đơn hôm nay').textContent(), int(mine.today.invoices));
      t.equal(await tile(page, 'Cơ sở đã đăng ký').textContent(), int(mine.businesses.registered));
      await page.locator('#province-table tbody tr').first().waitFor();
      t.same(await dataOf(page.locator('#province-table tbody tr'), 'province'), ['01'], 'the province table');
      await shot(page, '07-officer-overview');

      const all = await w.get<RiskList>(w.admin, '/v1/risk/businesses?limit=200');
      const theirs = await w.get<RiskList>(w.officer, '/v1/risk/businesses?limit=200');
      t.ok(theirs.items.length > 0 && theirs.items.length < all.items.length, 'some flagged businesses are elsewhere');
      await page.getByRole('link', { name: 'Rủi ro' }).focus();
      await page.keyboard.press('Enter');
      await page.locator('#risk-list').waitFor();
      t.same(await dataOf(page.locator('#risk-list > li'), 'taxCode'), theirs.items.map((i) => i.taxCode), 'the risk list of Hà Nội');
      const elsewhere = all.items.find((i) => !theirs.items.some((m) => m.taxCode === i.taxCode))!;
      await page.goto(`${w.base}/dashboard#/business/${elsewhere.taxCode}`);
      await t.resolves(page.getByRole('alert').filter({ hasText: 'nằm ngoài các tỉnh, thành phố bạn được giao' }).first().waitFor(), 'a business elsewhere is not found');
      t.equal(await page.locator('#business-signals').count(), 0, 'and nothing of it is shown');

      await page.getByRole('link', { name: 'Tra cứu người mua' }).click();
      await page.getByLabel(/Số định danh cá nhân/).fill(BUYER_ID);
      await page.getByLabel(/Lý do tra cứu/).fill('Hồ sơ kiểm tra số 12/2026/KT');
      await page.getByRole('button', { name: 'Tra cứu' }).click();
      await page.locator('#buyer-results').waitFor();
      t.equal(await page.locator('#buyer-results tbody tr').count(), 2, "the buyer's invoices in Hà Nội only");
      await shot(page, '08-officer-buyer');

      await page.getByRole('link', { name: 'Hóa đơn', exact: true }).click();
      await page.locator('table.invoices tbody tr').first().waitFor();
      const provinces = new Set(await dataOf(page.locator('table.invoices tbody tr'), 'province'));
      t.same([...provinces], ['01'], 'the invoice list holds Hà Nội only');

      await page.getByRole('button', { name: 'Đăng xuất' }).click();
      await page.getByLabel('Mã truy cập').waitFor();
      t.equal(await page.evaluate('sessionStorage.length'), 0, 'signing out forgets the token');
      t.same(problems, [], 'no console errors or CSP refusals');
    });
    t.comment(`dashboard tests took ${Date.now() - started} ms`);
  });
}
