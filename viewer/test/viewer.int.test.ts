import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentLabel } from '../../server/src/dicom/seg.ts';
import { phantomStudy } from '../../server/test/fixtures.ts';
import { eventually, startTestStack, type TestStack } from '../../server/test/services.ts';
import {
  chromiumMissingReason,
  focusViewport,
  launchBrowser,
  newViewerContext,
  saveScreenshot,
  viewportColourAt,
  waitForRenderedImage,
  type WorldPoint,
} from './browser.ts';

/**
 * End to end in a real browser: a phantom chest CT with two nodules is stored into Orthanc, the
 * change feed routes it, Lungbridge analyses it and stores its SR and SEG into the study, and the
 * reading room shows them: the login form, the CT, both SR measurements with their lengths (drawn
 * on the image), and both SEG segments overlaid.
 */

const ohifIndex = path.resolve(import.meta.dirname, '../ohif/www/index.html');

const skipReason = !existsSync(ohifIndex)
  ? 'OHIF is not fetched: run viewer/scripts/fetch-ohif.sh'
  : chromiumMissingReason();
if (skipReason) console.warn(`viewer.int.test.ts skipped: ${skipReason}`);

interface Axis {
  readonly lengthMm: number;
}

/** What the test reads of `GET /api/v1/analyses/:id`. */
interface AnalysisBody {
  readonly id: string;
  readonly status: string;
  readonly error: { readonly reason: string } | null;
  readonly outputs: { readonly srSopInstanceUid?: string; readonly segSopInstanceUid?: string } | null;
  readonly viewerUrl: string;
  readonly findings: ReadonlyArray<{
    readonly index: number;
    readonly longAxis: Axis;
    readonly shortAxis: Axis;
    readonly centroidMm: WorldPoint;
  }>;
}

/** How OHIF prints a length ("L: 15.1 mm"): the value and half a unit of its last shown digit. */
interface ShownLength {
  readonly mm: number;
  readonly tolerance: number;
}

function shownLength(text: string, label: 'L' | 'W'): ShownLength {
  const match = new RegExp(`${label}: (\\d+(?:\\.(\\d+))?) mm`).exec(text);
  if (!match) throw new Error(`no "${label}: … mm" in ${JSON.stringify(text)}`);
  // A hair over half a unit: the SR stores six significant digits, not the exact double.
  return { mm: Number(match[1]), tolerance: 0.5 * 10 ** -(match[2]?.length ?? 0) + 1e-6 };
}

function expectShown(shown: ShownLength, actualMm: number, what: string): void {
  expect(Math.abs(shown.mm - actualMm), `${what}: shown ${shown.mm} mm, finding ${actualMm} mm`).toBeLessThanOrEqual(shown.tolerance);
}

/** A series in OHIF's study browser that has no image thumbnail (SR, SEG), by its modality label. */
function seriesWithoutImage(page: Page, modality: 'SR' | 'SEG') {
  return page.locator('[data-cy="study-browser-thumbnail-no-image"]')
    .filter({ has: page.locator('[data-cy="series-modality-label"]', { hasText: new RegExp(`^${modality}$`) }) });
}

/** The drawn bidirectional annotation on the image on show whose label reads `L: <long> mm`. */
function drawnMeasurement(page: Page, longText: string) {
  return page.locator('svg.svg-layer g[data-annotation-uid]', { hasText: longText });
}

describe.skipIf(skipReason !== undefined)('the reading room, end to end', () => {
  let stack: TestStack;
  let browser: Browser;
  // Two solid nodules, one per lung (fixtures' default); 60 slices at 2.5 mm keep it quick.
  const study = phantomStudy({ seed: 606, slices: 60 });

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('routes and analyses a stored study, then shows its SR measurements and SEG segments in OHIF', async () => {
    // 1. Into the PACS; auto-routing queues it once Orthanc calls the study stable.
    const stored = await stack.pacs.store(study.studyInstanceUid, study.instances);
    expect(stored.failed).toEqual([]);
    const listed = await eventually(async () => {
      const body = (await (await stack.api(`/api/v1/analyses?studyInstanceUid=${study.studyInstanceUid}`)).json()) as { items: AnalysisBody[] };
      const [latest] = body.items;
      return latest && !['queued', 'running'].includes(latest.status) ? latest : undefined;
    }, 'the routed analysis to finish', 90_000);
    expect(listed.status, `analysis ended ${listed.status}: ${listed.error?.reason}`).toBe('succeeded');
    expect(listed.outputs).toMatchObject({ srSopInstanceUid: expect.any(String), segSopInstanceUid: expect.any(String) });
    const analysis = (await (await stack.api(`/api/v1/analyses/${listed.id}`)).json()) as AnalysisBody;
    const findings = [...analysis.findings].sort((a, b) => a.index - b.index);
    // Both phantom nodules are among the findings (the detector may add others; the viewer must show
    // every finding either way): the one whose centroid lies within the nodule's radius of its centre.
    expect(study.phantom.truth.nodules).toHaveLength(2);
    const nodules = study.phantom.truth.nodules.map((truth) => {
      const found = findings.find((f) => Math.hypot(f.centroidMm.x - truth.centreMm.x, f.centroidMm.y - truth.centreMm.y, f.centroidMm.z - truth.centreMm.z) < truth.diameterMm / 2);
      expect(found, `a finding at phantom nodule ${truth.index} (${truth.diameterMm} mm, ${truth.laterality} lung)`).toBeDefined();
      return found!;
    });

    // 2. The viewer link, in a browser without a session: the login form, then back to the study.
    const context = await newViewerContext(browser, stack.service.url);
    const page = await context.newPage();
    try {
      await page.goto(analysis.viewerUrl);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('#apiKey', stack.apiKey);
      await Promise.all([page.waitForURL((url) => url.pathname === '/viewer/viewer'), page.click('button[type=submit]')]);
      expect(new URL(page.url()).searchParams.get('StudyInstanceUIDs')).toBe(study.studyInstanceUid);
      await waitForRenderedImage(page);

      // 3. Lungbridge's SR: opening it lists every finding's measurement with its long and short axes.
      await seriesWithoutImage(page, 'SR').dblclick();
      await page.locator('[data-cy="trackedMeasurements-btn"]').click();
      const rows = page.locator('[data-cy^="measurement-table-row-"]');
      // Rows appear before OHIF has computed every length (it does so as each image loads).
      const measured = /L: [\d.]+ mm[\s\S]*W: [\d.]+ mm/;
      await expect
        .poll(async () => (await rows.allInnerTexts()).filter((text) => measured.test(text)).length, { timeout: 30_000, message: 'SR measurements listed with lengths' })
        .toBe(findings.length);
      // Per row, as OHIF prints it: "L: 15.1 mm" (long axis) and "W: 12.0 mm" (short axis).
      const shownRows = (await rows.allInnerTexts()).map((text, row) => ({
        row,
        longLabel: /L: [\d.]+ mm/.exec(text)?.[0] ?? '',
        long: shownLength(text, 'L'),
        short: shownLength(text, 'W'),
      }));
      // Rows and findings, each sorted by long then short axis, pair up.
      const shownSorted = [...shownRows].sort((a, b) => a.long.mm - b.long.mm || a.short.mm - b.short.mm);
      const findingsSorted = [...findings].sort((a, b) => a.longAxis.lengthMm - b.longAxis.lengthMm || a.shortAxis.lengthMm - b.shortAxis.lengthMm);
      const shownOf = new Map(findingsSorted.map((finding, n) => [finding, shownSorted[n]]));
      for (const [finding, shown] of shownOf) {
        expectShown(shown.long, finding.longAxis.lengthMm, `long axis of finding ${finding.index}`);
        expectShown(shown.short, finding.shortAxis.lengthMm, `short axis of finding ${finding.index}`);
      }

      // Each row jumps to its slice, where the measurement is drawn: both axes and its label.
      const showMeasurement = async (shown: (typeof shownRows)[number]) => {
        await page.locator(`[data-cy="measurement-table-row-${shown.row}"] [data-cy="data-row-title"]`).click();
        const drawn = drawnMeasurement(page, shown.longLabel);
        await expect.poll(() => drawn.count(), { timeout: 15_000, message: `measurement ${shown.row + 1} drawn on the image` }).toBe(1);
        const uid = await drawn.getAttribute('data-annotation-uid');
        expect(await page.locator(`svg.svg-layer line[data-id^="${uid}-line-"]`).count(), 'long and short axis lines').toBe(2);
      };
      for (const shown of shownRows) await showMeasurement(shown);

      // The larger phantom nodule, as a reader would look at it: its slice, zoomed in, lines on top.
      const largest = nodules.reduce((a, b) => (b.longAxis.lengthMm > a.longAxis.lengthMm ? b : a));
      const largestShown = shownOf.get(largest)!;
      await showMeasurement(largestShown);
      await focusViewport(page, largest.centroidMm, 3);
      await expect.poll(() => drawnMeasurement(page, largestShown.longLabel).count(), { timeout: 15_000, message: 'measurement redrawn after zooming' }).toBe(1);
      await saveScreenshot(page, 'e2e-sr-measurements');

      // 4. Lungbridge's SEG: one segment per finding, listed and overlaid on the CT.
      await seriesWithoutImage(page, 'SEG').dblclick();
      await page.locator('[data-cy="panelSegmentation-btn"]').click();
      const segmentTitles = page.locator('[data-cy="data-row-title"]', { hasText: /^Nodule \d+$/ });
      await expect
        .poll(async () => (await segmentTitles.allInnerTexts()).map((title) => title.trim()).sort(), { timeout: 30_000, message: 'SEG segments listed' })
        .toEqual(findings.map((f) => segmentLabel(f.index)));
      // The segment of the larger nodule: its row jumps to it; its centre takes the segment's colour
      // (the CT alone is grey, so any clear chroma there is the overlay).
      await segmentTitles.filter({ hasText: new RegExp(`^${segmentLabel(largest.index)}$`) }).click();
      await focusViewport(page, largest.centroidMm, 3);
      await expect
        .poll(async () => {
          const rgb = await viewportColourAt(page, largest.centroidMm);
          return Math.max(...rgb) - Math.min(...rgb);
        }, { timeout: 15_000, message: 'the segment overlaid in colour at the nodule' })
        .toBeGreaterThan(40);
      await saveScreenshot(page, 'e2e-seg-overlay');
    } catch (error) {
      // What the page showed when a step failed, for CI; the step's own error is what gets reported.
      await saveScreenshot(page, 'e2e-failure').catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }, 240_000);
});
