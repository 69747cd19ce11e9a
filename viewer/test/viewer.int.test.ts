import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctSliceDatasets, part10Bytes } from '../../server/src/dicom/ct-writer.ts';
import { segmentLabel } from '../../server/src/dicom/seg.ts';
import { generatePhantom } from '../../server/src/phantom/generate.ts';
import {
  chromiumMissingReason,
  launchBrowser,
  newViewerContext,
  saveScreenshot,
  waitForRenderedImage,
} from './browser.ts';

/**
 * End to end in a real browser: a phantom chest CT with two nodules goes into Orthanc, Lungbridge
 * analyses it, and the reading room shows it: the login form, the CT, both SR measurements with
 * their lengths (drawn on the image), and both SEG segments.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const harnessFile = path.join(repoRoot, 'server/test/services.ts');
const ohifIndex = path.join(repoRoot, 'viewer/ohif/www/index.html');

/** What this test needs from the service harness (server/test/services.ts). */
interface Stack {
  /** Lungbridge's base URL, serving /login, /viewer/ and /dicom-web. */
  readonly url: string;
  readonly apiKey: string;
  /** The Orthanc behind it (REST, basic auth). */
  readonly orthanc: { readonly url: string; readonly username: string; readonly password: string };
  stop(): Promise<void>;
}

async function startStack(): Promise<Stack> {
  // A variable specifier: this file must typecheck before the harness exists.
  const specifier = harnessFile;
  const harness = (await import(specifier)) as { startLungbridge?: () => Promise<Stack> };
  if (typeof harness.startLungbridge !== 'function') {
    throw new Error('server/test/services.ts must export startLungbridge(): Promise<{ url, apiKey, orthanc: { url, username, password }, stop }>');
  }
  return harness.startLungbridge();
}

const skipReason = !existsSync(harnessFile)
  ? 'waits on the service harness server/test/services.ts'
  : !existsSync(ohifIndex)
    ? 'OHIF is not fetched: run viewer/scripts/fetch-ohif.sh'
    : chromiumMissingReason();
if (skipReason) console.warn(`viewer.int.test.ts skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('the reading room, end to end', () => {
  let stack: Stack;
  let browser: Browser;
  let studyInstanceUid: string;
  let viewerPath: string;
  let findingCount: number;

  beforeAll(async () => {
    stack = await startStack();
    // Two clearly separate solid nodules, one per lung; 2.5 mm slices keep the series small.
    const phantom = generatePhantom({
      seed: 20_26,
      slices: 120,
      sliceSpacingMm: 2.5,
      nodules: [
        { diameterMm: 14, type: 'solid', shape: 'round', attachment: 'free', laterality: 'right', zone: 'middle' },
        { diameterMm: 9, type: 'solid', shape: 'round', attachment: 'free', laterality: 'left', zone: 'upper' },
      ],
    });
    studyInstanceUid = phantom.volume.source.studyInstanceUid;
    const authorization = `Basic ${Buffer.from(`${stack.orthanc.username}:${stack.orthanc.password}`).toString('base64')}`;
    for (const dataset of ctSliceDatasets(phantom.volume, phantom.identity)) {
      const response = await fetch(`${stack.orthanc.url}/instances`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/dicom' },
        body: Buffer.from(part10Bytes(dataset)),
      });
      expect(response.ok, `storing a phantom slice in Orthanc: HTTP ${response.status}`).toBe(true);
    }

    const api = { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${stack.url}/api/v1/analyses`, { method: 'POST', headers: api, body: JSON.stringify({ studyInstanceUid }) });
    expect(created.status).toBeLessThan(300);
    const { id } = (await created.json()) as { id: string };
    const deadline = Date.now() + 150_000;
    let analysis: { status: string; error: unknown; viewerUrl: string; findings: unknown[] };
    for (;;) {
      analysis = (await (await fetch(`${stack.url}/api/v1/analyses/${id}`, { headers: api })).json()) as typeof analysis;
      if (!['queued', 'running'].includes(analysis.status) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(analysis.status, `analysis ended ${analysis.status}: ${JSON.stringify(analysis.error)}`).toBe('succeeded');
    findingCount = analysis.findings.length;
    viewerPath = new URL(analysis.viewerUrl).pathname + new URL(analysis.viewerUrl).search;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('logs in, shows the CT, both measurements with lengths, the SR drawn and both segments', async () => {
    expect(findingCount).toBe(2);
    const context = await newViewerContext(browser, stack.url);
    const page = await context.newPage();

    // No session yet: the viewer link leads to the login form, and back after it.
    await page.goto(viewerPath);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#apiKey', stack.apiKey);
    await Promise.all([page.waitForURL((url) => url.pathname === '/viewer/viewer'), page.click('button[type=submit]')]);
    expect(new URL(page.url()).searchParams.get('StudyInstanceUIDs')).toBe(studyInstanceUid);

    await waitForRenderedImage(page);
    await saveScreenshot(page, 'e2e-ct');

    // Lungbridge's SR: opening it loads the measurements without a prompt (measurementTrackingMode 'simplified').
    await page.locator('[data-cy="study-browser-thumbnail-no-image"]', { hasText: 'SR' }).first().dblclick();
    await page.locator('[data-cy="trackedMeasurements-btn"]').first().click();
    const rows = page.locator('[data-cy^="measurement-table-row-"]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    for (const text of await rows.allInnerTexts()) {
      expect(text).toMatch(/\d+(\.\d+)? mm/);
    }
    await expect
      .poll(() => page.locator('svg.svg-layer [data-annotation-uid]').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await saveScreenshot(page, 'e2e-sr');

    // Lungbridge's SEG: one segment per nodule, listed in the segmentation panel.
    await page.locator('[data-cy="study-browser-thumbnail-no-image"]', { hasText: 'SEG' }).first().dblclick();
    await page.locator('[data-cy="panelSegmentation-btn"]').first().click();
    const segmentTitles = page.locator('[data-cy="data-row-title"]');
    await expect
      .poll(async () => (await segmentTitles.allInnerTexts()).filter((title) => /^Nodule \d+$/.test(title.trim())).sort(), { timeout: 30_000 })
      .toEqual([segmentLabel(1), segmentLabel(2)]);
    await saveScreenshot(page, 'e2e-seg');
    await context.close();
  });
});
