// The browser tests' world: a small demo country in two provinces (Hà Nội 01, TP Hồ Chí Minh 79)
// with its planted revenue-loss patterns evaluated, a buyer with invoices in both provinces, an
// admin and an officer of Hà Nội only; the real app listening on a port, and Debian's Chromium.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { Deps } from '../../src/deps.js';
import { seedDemo } from '../../src/modules/demo/seed.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createStaff } from '../helpers/fixtures.js';
import { issueAt, PHO } from '../helpers/invoices.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test/artifacts/dashboard');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BUYER_ID = '001099012345';

/** Built by `npm run build` (pretest); refusing to run without them says what to do. */
export function assetsMissing(): string | null {
  const index = path.join(ROOT, 'dist/dashboard/public/index.html');
  return existsSync(index) ? null : `the dashboard assets are not built (${path.relative(ROOT, index)} is missing): run \`npm run build\` first`;
}

export interface World {
  app: FastifyInstance;
  deps: Deps;
  base: string;
  admin: string;
  officer: string;
  /** GET as a staff token, parsed. */
  get: <T>(token: string, url: string) => Promise<T>;
}

type Teardown = { teardown(fn: () => unknown): void; comment(...m: unknown[]): void };

export async function buildWorld(t: Teardown): Promise<World> {
  // The transmission's periodic sweep and the hourly risk schedule stay out of the way: the test
  // runs the evaluation itself once the data is in.
  const { app, deps } = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  await deps.risk?.stop();
  const manifest = await seedDemo(deps, { invoices: 1200, days: 35, provinces: ['01', '79'], seed: 20261128 });
  t.comment(`seeded ${manifest.invoices} invoices of ${manifest.businesses} businesses in ${manifest.durationMs} ms`);

  const now = Date.now();
  const hanoi = await createActiveBusiness(deps, { provinceCode: '01', name: 'Quán Cơm Bà Ba' });
  const saigon = await createActiveBusiness(deps, { provinceCode: '79', name: 'Quán Bún Chợ Lớn' });
  for (const [b, daysAgo] of [[hanoi, 3], [hanoi, 2], [saigon, 1]] as const) {
    await issueAt(deps, b, { at: new Date(now - daysAgo * 86_400_000), items: [{ ...PHO, quantity: 2 }], buyer: { personalId: BUYER_ID, name: 'Nguyễn Văn A' } });
  }

  const admin = (await createStaff(deps, 'admin')).token;
  const officer = (await createStaff(deps, 'officer', ['01'])).token;
  const evaluated = await app.inject({ method: 'POST', url: '/v1/risk/evaluate', headers: { authorization: `Bearer ${admin}` } });
  if (evaluated.statusCode !== 200) throw new Error(`risk evaluation failed: ${evaluated.body}`);

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
  const get = async <T>(token: string, url: string): Promise<T> => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as T;
  };
  return { app, deps, base: `http://127.0.0.1:${address.port}`, admin, officer, get };
}

export async function launch(t: Teardown): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed for the dashboard tests (${CHROMIUM}): apt-get install chromium`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => browser.close());
  mkdirSync(ARTIFACTS, { recursive: true });
  return browser;
}

/** A laptop-sized tab; every console error, page error and CSP refusal is collected. */
export async function openTab(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  // A browser far from Vietnam: dates must still read in Asia/Ho_Chi_Minh.
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', timezoneId: 'America/New_York', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    // A refused request (401 on a wrong token, 404 outside the provinces) is logged by Chromium
    // as a failed resource; the app shows those in words, which the tests check.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[14]/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

export async function login(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/dashboard`);
  await page.getByLabel('Mã truy cập').fill(token);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.locator('#tiles').waitFor();
}

/** How many pixels of a canvas are painted: a chart that drew nothing has none. */
export async function paintedPixels(page: Page, selector: string): Promise<number> {
  // Runs in the page; typed structurally because the test build has no DOM types.
  type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
  return page.locator(selector).evaluate((c: Canvas) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return n;
  });
}

/** One data-* attribute of each element a locator matches, in order. */
export function dataOf(locator: Locator, key: string): Promise<Array<string | undefined>> {
  return locator.evaluateAll((elements: Array<{ dataset: Record<string, string | undefined> }>, k: string) => elements.map((e) => e.dataset[k]), key);
}

const vnInt = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
const vnMoney = new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND', maximumFractionDigits: 0 });
export const int = (n: number): string => vnInt.format(n);
export const money = (n: number): string => vnMoney.format(n);
