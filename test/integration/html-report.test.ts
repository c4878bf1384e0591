// Issue 14, item 4: the HTML report is one self-contained page that a real headless Chromium (Debian's
// `chromium`, which .ci/run installs) loads without console errors, without any request, showing the matrix.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDemoFleet } from '../helpers/local-fleet.js';
import { runCli } from '../helpers/run-cli.js';

const CHROMIUM = '/usr/bin/chromium';
type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error('chromium is not installed: apt-get install -y chromium (.ci/run does)');
  f = await tempDemoFleet();
  // hostile text from a node: a broken config whose parse error quotes markup
  await writeFile(`${f.node('node04').root}/root/.openclaw/openclaw.json`, '{ <script>alert(1)</script> }');
  // a fresh profile dir each run (playwright passes it as --user-data-dir)
  browser = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'clawfleet-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await f?.cleanup();
});

async function load(file: string) {
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => problems.push(`dialog: ${d.message()}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems, requests };
}

describe('HTML report in headless Chromium', { timeout: 300_000 }, () => {
  it('check --format html: loads without console errors or requests and shows the nodes × items matrix', async () => {
    const out = join(f.dir, 'report.html');
    const r = await runCli(['check', '-i', f.inventoryFile, '--format', 'html', '--out', out]);
    expect(r.code, r.stderr).toBe(1); // node04's config cannot be parsed: its config items are ?
    const html = await readFile(out, 'utf8');
    expect(html).not.toContain('<script>alert');
    const { page, problems, requests } = await load(out);
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(out).href]);
    const header = await page.$$eval('#matrix tr:first-child th', (ths) => ths.map((t) => t.textContent));
    expect(header).toEqual(['node', 'memory', 'media', 'logs', 'browser', 'sessions', 'agent-memory', 'orphans']);
    const rows = await page.$$eval('#matrix tr', (trs) => trs.slice(1).map((tr) => [...tr.children].map((c) => `${c.className}|${c.textContent}`)));
    expect(rows.map((x) => x[0]!.split('|')[1])).toEqual(['t440', 'node02', 'node03', 'node04']);
    expect(rows[2]).toEqual(['|node03', 'c ok|✓', 'c drift|✗ config', 'c drift|✗ config', 'c drift|✗ config', 'c ok|✓', 'c ok|✓', 'c ok|✓']);
    expect(rows[3]![1]).toBe('c unknown|?');
    // the colours are really applied
    const bg = await page.$eval('#matrix td.ok', (td) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(td).backgroundColor);
    expect(bg).toBe('rgb(216, 243, 220)');
    // per-node details and credential status are on the page
    const text = await page.textContent('body');
    expect(text).toMatch(/16 credential profiles in 16 agents/);
    expect(text).not.toContain('«redacted»'); // nothing on this page is a secret: no word of it may read as one
    expect(text).toContain('invalid JSON5');
    expect(text).toMatch(/no clawfleet runs recorded on this node/);
    await page.close();
  });

  it('watch --format html adds the alerts and the recent runs, and still loads cleanly', async () => {
    const out = join(f.dir, 'watch.html');
    const args = ['watch', '-i', f.inventoryFile, '--state', join(f.dir, 'state.json'), '--secret-file', join(f.dir, 'secret'), '--format', 'html', '--out', out];
    expect((await runCli(args)).code).toBe(0);
    expect((await runCli(args)).code).toBe(0);
    const { page, problems } = await load(out);
    expect(problems).toEqual([]);
    expect(await page.textContent('body')).toContain('Recent watch runs');
    expect(await page.$$eval('#matrix tr', (trs) => trs.length)).toBe(5);
    await page.close();
  });
});
