import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render } from '../../src/report/index.js';
import type { Report } from '../../src/report/model.js';
import { hostileReport, loggingStoppedReport } from '../support/reports.js';
import { SCENARIOS } from '../../src/demo/scenarios.js';
import { diagnose } from '../../src/diagnosis/index.js';
import { ok } from '../../src/evidence/probe.js';

// Browser-side code is passed as strings: this project compiles without the DOM lib.

/**
 * The HTML report in a real browser: headless Chromium from Debian (`apt-get install chromium`),
 * driven by playwright-core. Opens the report file from disk like a user would.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium package for the browser test`);
  console.warn(`\n*** SKIPPING the browser test of the HTML report: ${CHROMIUM} not found (apt-get install -y chromium) ***\n`);
}

const INJECTED = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">';

interface Opened {
  page: Page;
  requests: string[];
  problems: string[];
  dialogs: string[];
}

describe.skipIf(!haveChromium)('HTML report in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(report: Report, name: string, viewport = { width: 1280, height: 900 }): Promise<Opened> {
    const file = join(ARTIFACTS, `${name}.html`);
    writeFileSync(file, render(report, 'html', { color: false }));
    const page = await browser.newPage({ viewport });
    const requests: string[] = [];
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, requests, problems, dialogs };
  }

  it('demo s3-bucket-policy-denies: verdict, gap window and trigger marker visible; fetches nothing; injected markup stays text', async () => {
    const scenario = SCENARIOS.find((s) => s.id === 's3-bucket-policy-denies')!;
    const evidence = scenario.evidence();
    const report = diagnose(evidence);
    report.trail.name = `main${INJECTED}`;
    const other = report.timeline!.changes.find((c) => !c.isTrigger)!;
    other.actor = `arn:aws:iam::123456789012:user/${INJECTED}`;
    const trig = report.rootCauses[0]!.trigger!;
    const { page, requests, problems, dialogs } = await open(report, 'report-problem');

    // verdict and headline at the top
    await expect.poll(() => page.locator('[data-verdict="problem"]').isVisible()).toBe(true);
    expect(await page.locator('[data-verdict="problem"]').innerText()).toContain('Problem');
    expect(await page.locator('#headline').innerText()).toContain('Bucket policy of');

    // the chart is there, named for assistive technology, with the gap shaded and the trigger marked
    const chart = page.getByRole('img', { name: /Delivery timeline/ });
    expect(await chart.isVisible()).toBe(true);
    const gap = page.locator('svg.timeline .gap[data-destination="s3"] rect.gap-fill');
    expect(await gap.isVisible()).toBe(true);
    const gapBox = (await gap.boundingBox())!;
    const chartBox = (await chart.boundingBox())!;
    expect(gapBox.width).toBeGreaterThan(chartBox.width * 0.05); // ~18h of a 7-day window
    expect(gapBox.x + gapBox.width).toBeGreaterThan(chartBox.x + chartBox.width * 0.85); // at the end
    const trigger = page.locator('svg.timeline .change.trigger');
    expect(await trigger.locator('path').isVisible()).toBe(true);
    expect(await trigger.locator('title').textContent()).toContain(`PutBucketPolicy by ${trig.actor} at`);
    const triggerBox = (await trigger.locator('path').boundingBox())!;
    expect(Math.abs(triggerBox.x + triggerBox.width / 2 - gapBox.x)).toBeLessThan(6); // right where delivery stopped

    // the injected markup rendered as text and did not run
    expect(await page.locator('.trail-name').innerText()).toContain('<script>window.__pwned=1</script>');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(dialogs).toEqual([]);

    // our own script ran under the CSP (copy buttons revealed) without any CSP violation
    const copy = page.locator('div.fix > div.cmd > button.copy').first(); // a command's (the policy's sits in a closed <details>)
    expect(await copy.isVisible()).toBe(true);
    await copy.click();
    await expect.poll(() => copy.innerText()).toBe('Copied');
    expect(problems).toEqual([]);

    // no network: only the file itself (and nothing else) was requested
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);

    await page.screenshot({ path: join(ARTIFACTS, 'report-problem.png'), fullPage: true });
    await chart.screenshot({ path: join(ARTIFACTS, 'report-problem-timeline.png') });

    // print: copy buttons hidden, the chart still there
    await page.emulateMedia({ media: 'print' });
    expect(await copy.isVisible()).toBe(false);
    expect(await chart.isVisible()).toBe(true);
    await page.close();
  });

  it('the S3 access log lane at 360 px: refusals in the problem colour from the trigger on, its labels legible and on the page', async () => {
    const evidence = SCENARIOS.find((s) => s.id === 's3-bucket-policy-denies')!.evidence();
    const trigger = Date.parse(diagnose(evidence).rootCauses[0]!.trigger!.eventTime);
    const now = Date.parse(evidence.collectedAt);
    const H = 3_600_000;
    const hours = [];
    for (let h = Math.floor(now / H) * H - 30 * H; h < now - H; h += H) {
      const refused = h + H <= trigger ? 0 : h >= trigger ? 12 : Math.round((12 * (h + H - trigger)) / H);
      hours.push({ hour: new Date(h).toISOString().replace('.000', ''), attempted: 12, succeeded: 12 - refused, refused, refusedLogFiles: refused, refusedDigests: 0 });
    }
    const refusedTotal = hours.reduce((n, h) => n + h.refused, 0);
    evidence.steps.s4.accessLogs = ok({
      config: { enabled: true, targetBucket: 'acme-access-logs', targetPrefix: 'trail/', keyFormat: 'simple' as const, selfTargeting: false },
      summary: {
        objectsListed: 30, objectsRead: 30, bytesRead: 90_000, capped: false, malformedLines: 0, unreadableObjects: 0,
        attempted: hours.length * 12, succeeded: hours.length * 12 - refusedTotal, refused: refusedTotal, hourly: hours,
        errorCodes: [{ status: 403, errorCode: 'AccessDenied', count: refusedTotal }],
        firstRefused: { time: new Date(trigger + 60_000).toISOString(), kind: 'log-file' as const, operation: 'REST.PUT.OBJECT', status: 403, errorCode: 'AccessDenied' },
        newestRecordTime: new Date(now - H - 60_000).toISOString(), requesters: [],
      },
    });
    const { page, problems } = await open(diagnose(evidence), 'report-access-lane', { width: 360, height: 900 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    const refused = page.locator('svg.timeline .lane-access .bar-refused rect');
    expect(await refused.count()).toBeGreaterThan(0);
    const fill = (sel: string) => page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(sel)})).fill`);
    expect(await fill('svg.timeline .lane-access .bar-refused rect')).toBe('rgb(180, 35, 24)');
    expect(await fill('svg.timeline .lane-access .bar-access rect')).toBe('rgb(140, 149, 159)');
    // the first refusal bar starts in the hour of the trigger marker
    const first = (await refused.first().boundingBox())!;
    const marker = (await page.locator('svg.timeline .change.trigger path').boundingBox())!;
    expect(Math.abs(marker.x + marker.width / 2 - first.x)).toBeLessThanOrEqual(first.width + 1);
    // label and counts: legible, inside the chart (nothing cut at its left edge)
    const svgBox = (await page.locator('svg.timeline').boundingBox())!;
    for (const sel of ['.lane-access .lane-label', '.lane-access .lane-sub']) {
      const box = (await page.locator(`svg.timeline ${sel}`).boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(9);
      expect(box.x).toBeGreaterThanOrEqual(svgBox.x);
    }
    expect(await page.locator('svg.timeline .lane-access .lane-sub').textContent()).toBe(`${refusedTotal} of ${hours.length * 12} refused`);
    expect(await page.locator('figcaption.legend').innerText()).toContain('refused');
    await page.screenshot({ path: join(ARTIFACTS, 'report-access-lane-360.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a fully hostile report executes nothing and requests nothing', async () => {
    const { page, requests, problems, dialogs } = await open(hostileReport(), 'report-hostile');
    await page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })");
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(await page.title()).toContain('<script>');
    await page.screenshot({ path: join(ARTIFACTS, 'report-hostile.png'), fullPage: false });
    await page.close();
  });

  it('is readable on a narrow screen: nothing wider than the viewport', async () => {
    const { page } = await open(loggingStoppedReport(), 'report-logging-stopped', { width: 420, height: 900 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    // a vertical line has no width, so Playwright never calls it visible: measure it instead
    const stop = await page.locator('svg.timeline .logmark.stop-logging line').boundingBox();
    expect(stop!.height).toBeGreaterThan(50);
    await page.screenshot({ path: join(ARTIFACTS, 'report-logging-stopped-narrow.png'), fullPage: false });
    await page.close();
  });

  it.each([
    ['phone', 360],
    ['desktop', 1280],
  ])('readable at %s width (%i px) and in print: timeline text legible, nothing off the page, cells wrap at word boundaries', async (name, width) => {
    const scenario = SCENARIOS.find((s) => s.id === 's3-bucket-policy-denies')!;
    const { page, problems } = await open(diagnose(scenario.evidence()), `report-${name}`, { width, height: 900 });
    const pageOverflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(pageOverflow).toBeLessThanOrEqual(0);

    // The smallest rendered text of the chart (tick labels) in CSS pixels, after the SVG's scaling.
    const smallest = await page.evaluate<number>(
      "Math.min(...[...document.querySelectorAll('svg.timeline text')].map((t) => t.getBoundingClientRect().height).filter((h) => h > 0))",
    );
    expect(smallest).toBeGreaterThanOrEqual(9);
    const scroll = await page.evaluate<{ sw: number; cw: number }>("(() => { const e = document.querySelector('.chart-scroll'); return { sw: e.scrollWidth, cw: e.clientWidth }; })()");
    if (width < 720) expect(scroll.sw).toBeGreaterThan(scroll.cw); // the chart scrolls sideways instead of shrinking
    else expect(scroll.sw).toBeLessThanOrEqual(scroll.cw + 1);
    expect(await page.locator('.scroll-hint').isVisible()).toBe(width < 720);

    // Table cells never cut a word: each word of the events table fits its cell's line.
    const cut = await page.evaluate<string[]>(`(() => {
      const bad = [];
      for (const td of document.querySelectorAll('table.events td')) {
        const range = document.createRange();
        for (const node of td.childNodes) {
          const walk = (n) => {
            if (n.nodeType === 3) {
              for (const m of n.textContent.matchAll(/[A-Za-z]{6,}/g)) {
                range.setStart(n, m.index); range.setEnd(n, m.index + m[0].length);
                if (range.getClientRects().length > 1) bad.push(m[0]);
              }
            } else n.childNodes.forEach(walk);
          };
          walk(node);
        }
      }
      return bad;
    })()`);
    expect(cut).toEqual([]);
    expect(await page.locator('table.events td', { hasText: 'PutBucketPolicy' }).first().isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, `report-${name}-${width}.png`), fullPage: true });

    // Print width (A4 at 96 dpi, ~794 px): the whole chart on the page, no sideways scrolling.
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.emulateMedia({ media: 'print' });
    const printScroll = await page.evaluate<{ sw: number; cw: number }>("(() => { const e = document.querySelector('.chart-scroll'); return { sw: e.scrollWidth, cw: e.clientWidth }; })()");
    expect(printScroll.sw).toBeLessThanOrEqual(printScroll.cw + 1);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    if (name === 'desktop') await page.pdf({ path: join(ARTIFACTS, 'report-print.pdf'), format: 'A4' });
    expect(problems).toEqual([]);
    await page.close();
  });
});
