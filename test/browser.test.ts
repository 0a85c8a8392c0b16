// End-to-end in a real browser: the HTML report of the bundled sample, written by the CLI, opened
// in headless Chromium (Debian's package, driven by playwright-core). Checks that the ranked table
// and the charts render with data (the planted account's chart among them), that the CSP meta tag
// is there and our style sheet still applies under it, that dark mode and print styles work, and
// that the page makes no request at all, even with accounts named `<img src=http://...>` (request
// interception records every attempt; a control page shows that it does see requests).
// Screenshots and a PDF go to test/artifacts/ (gitignored). KEYLAG_UPDATE_SCREENSHOT=1 (npm run
// docs:screenshot) also rewrites docs/report.png, the README's picture.
//
// Skips with a message when no Chromium is installed, unless KEYLAG_REQUIRE_BROWSER=1 (.ci/run
// sets it after installing Chromium), where a missing browser fails.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page, Request } from 'playwright-core';
import { browserRequired, findChromium, launch, type Browser } from './helpers/browser.js';
import { REPO_ROOT, ROSTER, runCli, SAMPLE } from './helpers/cli.js';

const chromiumPath = findChromium();
const SKIP =
  chromiumPath === null && !browserRequired()
    ? 'no Chromium found (looked at /usr/bin/chromium, /usr/bin/chromium-browser, $CHROMIUM_PATH): install it with `apt-get install chromium` to run the browser test'
    : false;

const ARTIFACTS = join(REPO_ROOT, 'test/artifacts');
const tmp = mkdtempSync(join(tmpdir(), 'keylag-browser-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// Code passed to page.evaluate runs in the page; tsconfig has no DOM library, so name what it uses.
declare const document: { body: object; documentElement: { localName: string } };
declare function getComputedStyle(el: object): { backgroundColor: string; breakBefore: string; fill: string };
interface SVGGraphicsElement { getBoundingClientRect(): { height: number }; getAttribute(name: string): string | null }
const truth = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/sample/truth.json'), 'utf8')) as { planted: { account: string; case: string }[] };
const FARM = truth.planted.find((p) => p.case === 'farm')!.account;

/** Account names that would load something if a renderer let them through as markup. */
const IMG_NAME = '<img src=http://example.invalid/x>';
const BREAKOUT_NAME = `"><svg onload=fetch('http://example.invalid/y')>`;

function scanToHtml(input: string, out: string, extra: string[] = []): void {
  const r = runCli(['scan', input, '--roster', ROSTER, '--format', 'html', '-o', out, ...extra]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /keylag: wrote .*\(sha256 [0-9a-f]{64}\)/);
}

/** The sample plus two accounts with hostile names and a slow floor (so they are flagged too). */
function hostileInput(): string {
  const path = join(tmp, 'hostile.csv');
  copyFileSync(join(REPO_ROOT, SAMPLE), path);
  const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows: string[] = [];
  for (const [k, name] of [IMG_NAME, BREAKOUT_NAME].entries()) {
    for (let i = 0; i < 400; i++) {
      const t = new Date(Date.UTC(2026, 2, 2 + (i % 10), 14, i % 60, k * 20 + Math.floor(i / 60))).toISOString();
      rows.push(`${t},${csvCell(name)},s-hostile-${k}-${i % 10},${(300 + ((i * 37) % 23) + k * 5).toFixed(1)}`);
    }
  }
  writeFileSync(path, readFileSync(path, 'utf8') + rows.join('\n') + '\n');
  return path;
}

interface Watch {
  requests: string[];
  problems: string[];
}

/** Record every request the context makes (and abort any that would reach a network), and console errors. */
async function watch(browser: Browser): Promise<Watch> {
  const w: Watch = { requests: [], problems: [] };
  browser.context.on('request', (r: Request) => w.requests.push(r.url()));
  await browser.context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) await route.continue();
    else await route.abort('blockedbyclient');
  });
  browser.context.on('page', (p) => attachConsole(p, w));
  return w;
}

function attachConsole(p: Page, w: Watch): void {
  p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') w.problems.push(`${m.type()}: ${m.text()}`); });
  p.on('pageerror', (e) => w.problems.push(`pageerror: ${e.message}`));
}

test('browser: the HTML report renders its table and charts, with a strict CSP and no request', { skip: SKIP, timeout: 240_000 }, async () => {
  assert.ok(chromiumPath, 'KEYLAG_REQUIRE_BROWSER=1 but no Chromium is installed (apt-get install chromium)');
  mkdirSync(ARTIFACTS, { recursive: true });
  const reportPath = join(tmp, 'report.html');
  scanToHtml(SAMPLE, reportPath);
  const hostilePath = join(tmp, 'hostile.html');
  scanToHtml(hostileInput(), hostilePath);

  const browser = await launch(chromiumPath!);
  try {
    const w = await watch(browser);
    const page = await browser.context.newPage();
    attachConsole(page, w);

    // Control: the harness does see a request when a page makes one (aborted before it leaves).
    await page.setContent('<img src="http://example.invalid/control.png">');
    await page.waitForTimeout(200);
    assert.ok(w.requests.some((u) => u.startsWith('http://example.invalid/control.png')), `control request not seen: ${w.requests.join(' ')}`);
    w.requests.length = 0;
    w.problems.length = 0;

    // ---------------------------------------------------------------- the sample report
    const url = pathToFileURL(reportPath).href;
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(300);

    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.ok(csp && csp.startsWith("default-src 'none'; style-src 'sha256-"), `CSP: ${csp}`);
    // Our style sheet applies under that CSP (a wrong hash would leave the page unstyled).
    const badgeBg = await page.locator('#ranked-table .badge').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(badgeBg, 'rgb(185, 28, 28)');
    assert.equal(await page.locator('script').count(), 0);

    // Ranked table: every scored account, the planted farm account first and flagged.
    const rows = page.locator('#ranked-table tbody tr');
    assert.equal(await rows.count(), 201);
    assert.equal(FARM, 'lucia.lee');
    assert.equal(await rows.nth(0).getAttribute('data-account'), FARM);
    assert.equal(await rows.nth(0).getAttribute('class'), 'flagged');
    const tableBox = await page.locator('#ranked-table').boundingBox();
    assert.ok(tableBox && tableBox.width > 800 && tableBox.height > 201 * 16, `table box ${JSON.stringify(tableBox)}`);
    const sparkBars = await rows.nth(0).locator('svg.kl-spark rect.bar').count();
    assert.ok(sparkBars >= 1, 'mini histogram in the row has bars');

    // The planted account's case: histogram with data against its peers, floor over time.
    const farmCase = page.locator(`article.case[data-account="${FARM}"]`);
    assert.equal(await farmCase.count(), 1);
    const hist = farmCase.locator('figure[data-chart="histogram-input_lag"] svg.kl-hist');
    const histBox = await hist.boundingBox();
    assert.ok(histBox && histBox.width > 300 && histBox.height > 100, `histogram box ${JSON.stringify(histBox)}`);
    const bars = await hist.locator('rect.bar.acct').evaluateAll((els) =>
      els.map((el) => ({ count: Number(el.getAttribute('data-count')), h: (el as SVGGraphicsElement).getBoundingClientRect().height })),
    );
    assert.ok(bars.length >= 1, 'the histogram has bars');
    assert.ok(bars.every((b) => b.h > 0 && b.count > 0), JSON.stringify(bars));
    assert.equal(bars.reduce((s, b) => s + b.count, 0), Number(await hist.getAttribute('data-n')));
    assert.equal(Number(await hist.getAttribute('data-n')), 355);
    const peerArea = await hist.locator('path.peers').boundingBox();
    assert.ok(peerArea && peerArea.height > 20, 'the peers are drawn beside it');
    const floor = farmCase.locator('figure[data-chart="floor-input_lag"] svg.kl-floor');
    assert.equal(await floor.locator('circle.pt').count(), Number(await floor.getAttribute('data-days')));
    assert.ok(Number(await floor.getAttribute('data-days')) >= 10);

    await page.screenshot({ path: join(ARTIFACTS, 'report-top.png') });
    await farmCase.screenshot({ path: join(ARTIFACTS, 'report.png') });
    if (process.env.KEYLAG_UPDATE_SCREENSHOT === '1') {
      await farmCase.screenshot({ path: join(REPO_ROOT, 'docs/report.png') });
    }

    // Dark mode and print.
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(13, 17, 23)');
    await farmCase.screenshot({ path: join(ARTIFACTS, 'report-dark.png') });
    await page.emulateMedia({ colorScheme: 'dark', media: 'print' });
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)', 'print is black on white');
    assert.equal(await farmCase.evaluate((el) => getComputedStyle(el).breakBefore), 'page');
    await page.emulateMedia({ colorScheme: 'light', media: 'screen' });
    const pdfPath = join(ARTIFACTS, 'report.pdf');
    await page.pdf({ path: pdfPath, format: 'A4', printBackground: true });
    assert.ok(statSync(pdfPath).size > 10_000);

    assert.deepEqual(w.requests, [url], 'no request but the report file itself');

    // ---------------------------------------------------------------- hostile account names
    w.requests.length = 0;
    const hostileUrl = pathToFileURL(hostilePath).href;
    await page.goto(hostileUrl, { waitUntil: 'load' });
    await page.waitForTimeout(500);
    assert.deepEqual(w.requests, [hostileUrl], 'the hostile names made no request');
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('[onload], [onerror]').count(), 0);
    for (const name of [IMG_NAME, BREAKOUT_NAME.toLowerCase()]) {
      // The name is an attribute value and text again after parsing: shown, not executed.
      const row = page.locator('#ranked-table tbody tr').filter({ has: page.locator('td', { hasText: name }) });
      assert.equal(await row.count(), 1, name);
      assert.equal(await row.getAttribute('data-account'), name);
      assert.equal(await page.locator(`article.case[data-account="${name.replace(/["\\]/g, '\\$&')}"]`).count(), 1, `case of ${name}`);
    }
    assert.deepEqual(w.problems, [], 'no console error (a CSP violation would show here)');
  } finally {
    await browser.close();
  }
});

test('browser: a Markdown chart file is a valid standalone SVG', { skip: SKIP, timeout: 120_000 }, async () => {
  assert.ok(chromiumPath);
  const out = join(tmp, 'case.md');
  const r = runCli(['scan', SAMPLE, '--roster', ROSTER, '--format', 'md', '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  const svgPath = join(tmp, 'case-charts', 'case-1-histogram-input_lag.svg');
  const browser = await launch(chromiumPath!, { width: 800, height: 400 });
  try {
    const w = await watch(browser);
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(svgPath).href);
    // An XML error would replace the document with a <parsererror>.
    assert.equal(await page.evaluate(() => document.documentElement.localName), 'svg');
    assert.equal(await page.locator('parsererror').count(), 0);
    assert.ok((await page.locator('rect.bar.acct').count()) >= 1);
    const fill = await page.locator('rect.bar.acct').first().evaluate((el) => getComputedStyle(el).fill);
    assert.equal(fill, 'rgb(194, 65, 12)', 'its embedded style applies');
    await page.screenshot({ path: join(ARTIFACTS, 'md-chart.png') });
    assert.deepEqual(w.requests, [pathToFileURL(svgPath).href]);
  } finally {
    await browser.close();
  }
});
