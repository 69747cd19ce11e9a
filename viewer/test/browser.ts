import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Headless Chromium for the viewer tests: Debian's /usr/bin/chromium driven by playwright-core
 * (no browser download; this machine has no network).
 */

export const chromiumPath = process.env.LUNGBRIDGE_CHROMIUM ?? '/usr/bin/chromium';

export const screenshotDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-results');

/**
 * OHIF renders only through WebGL (no CPU fallback for volumes); in a headless container WebGL
 * comes from SwiftShader through ANGLE. `--disable-gpu`, `--disable-webgl` or
 * `--disable-software-rasterizer` leave the viewport black. The other flags stop Chromium from
 * reaching for the network (updates, sync, QUIC probes) on a machine that has none.
 */
export const chromiumArgs: readonly string[] = [
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function chromiumMissingReason(): string | undefined {
  return existsSync(chromiumPath)
    ? undefined
    : `no Chromium at ${chromiumPath} (apt-get install -y chromium, or set LUNGBRIDGE_CHROMIUM)`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumArgs] });
}

/**
 * A browser context as a reader's first visit would be, minus OHIF's onboarding tour, which
 * would otherwise cover the viewport in every screenshot.
 */
export async function newViewerContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 } });
  await context.addInitScript(() => {
    window.localStorage.setItem('shownTours', JSON.stringify(['basicViewerTour']));
  });
  return context;
}

/** Saves a full-page screenshot to viewer/test-results/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Waits until a viewport canvas shows an image: its pixels are neither uniform nor all black.
 * Reads the canvas through a 2D copy, which works for WebGL canvases with preserved drawing
 * buffers and, for others, on the composited frame via `drawImage`.
 */
export async function waitForRenderedImage(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    () => {
      for (const canvas of Array.from(document.querySelectorAll<HTMLCanvasElement>('.cornerstone-canvas, canvas'))) {
        if (canvas.width < 64 || canvas.height < 64) continue;
        const probe = document.createElement('canvas');
        probe.width = 64;
        probe.height = 64;
        const context = probe.getContext('2d');
        if (!context) continue;
        context.drawImage(canvas, 0, 0, 64, 64);
        const pixels = context.getImageData(0, 0, 64, 64).data;
        let min = 255;
        let max = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          const grey = pixels[i];
          if (grey < min) min = grey;
          if (grey > max) max = grey;
        }
        if (max - min > 40) return true;
      }
      return false;
    },
    undefined,
    { timeout: timeoutMs, polling: 500 },
  );
}

/** A point in patient coordinates (mm, LPS), which is Cornerstone's world space. */
export interface WorldPoint {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/**
 * The part of Cornerstone3D that OHIF 3.13 exposes as `window.cornerstone` and these tests use:
 * the first viewport's camera, to look at a nodule the way a reader would zoom in on it.
 */
interface CornerstoneWindow {
  readonly cornerstone: {
    getEnabledElements(): Array<{
      readonly viewport: {
        readonly canvas: HTMLCanvasElement;
        getCamera(): { focalPoint: number[]; position: number[]; viewPlaneNormal: number[]; viewUp: number[] };
        setCamera(camera: { focalPoint: number[]; position: number[] }): void;
        setZoom(zoom: number): void;
        worldToCanvas(point: number[]): number[];
        render(): void;
      };
    }>;
  };
}

/**
 * Centres the (single) viewport on `point` within the slice on show and zooms in: the camera moves
 * parallel to the image plane only, so the slice stays the one the viewer jumped to.
 */
export async function focusViewport(page: Page, point: WorldPoint, zoom: number): Promise<void> {
  await page.evaluate(({ point, zoom }) => {
    const [{ viewport }] = (window as unknown as CornerstoneWindow).cornerstone.getEnabledElements();
    const { focalPoint, position, viewPlaneNormal: n } = viewport.getCamera();
    const target = [point.x, point.y, point.z];
    const offset = target.map((t, i) => t - focalPoint[i]);
    const along = offset[0] * n[0] + offset[1] * n[1] + offset[2] * n[2];
    const shift = offset.map((o, i) => o - along * n[i]);
    viewport.setCamera({ focalPoint: focalPoint.map((f, i) => f + shift[i]), position: position.map((p, i) => p + shift[i]) });
    viewport.setZoom(zoom);
    viewport.render();
  }, { point, zoom });
}

/**
 * The mean colour (RGB 0..255) of the viewport's rendered image in a 5x5 pixel square around where
 * `point` projects, read back from the canvas (image and segmentation overlays, not SVG annotations).
 */
export async function viewportColourAt(page: Page, point: WorldPoint): Promise<[number, number, number]> {
  return page.evaluate((point) => {
    const [{ viewport }] = (window as unknown as CornerstoneWindow).cornerstone.getEnabledElements();
    const [cssX, cssY] = viewport.worldToCanvas([point.x, point.y, point.z]);
    const canvas = viewport.canvas;
    const scale = canvas.width / canvas.clientWidth;
    const probe = document.createElement('canvas');
    probe.width = canvas.width;
    probe.height = canvas.height;
    const context = probe.getContext('2d')!;
    context.drawImage(canvas, 0, 0);
    const pixels = context.getImageData(Math.round(cssX * scale) - 2, Math.round(cssY * scale) - 2, 5, 5).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < pixels.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += pixels[i + c];
    return sum.map((s) => Math.round(s / 25)) as [number, number, number];
  }, point);
}

/** A line as drawn in the viewport's SVG annotation layer, in CSS pixels of the viewport. */
export interface DrawnLine {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** The lines Cornerstone draws for an annotation (`<uid>-line-1`, `-line-2`: a bidirectional's axes). */
export async function drawnLines(page: Page, annotationUid: string): Promise<DrawnLine[]> {
  return page.locator(`svg.svg-layer line[data-id^="${annotationUid}-line-"]`).evaluateAll((lines) =>
    lines.map((line) => ({
      x1: Number(line.getAttribute('x1')),
      y1: Number(line.getAttribute('y1')),
      x2: Number(line.getAttribute('x2')),
      y2: Number(line.getAttribute('y2')),
    })));
}

/**
 * Where `point` lands in the viewport (CSS pixels, the space of its SVG layer) and how many CSS
 * pixels one millimetre in the image plane spans at the current zoom.
 */
export async function projectOnViewport(page: Page, point: WorldPoint): Promise<{ x: number; y: number; pxPerMm: number }> {
  return page.evaluate((point) => {
    const [{ viewport }] = (window as unknown as CornerstoneWindow).cornerstone.getEnabledElements();
    const { viewUp } = viewport.getCamera();
    const world = [point.x, point.y, point.z];
    const [x, y] = viewport.worldToCanvas(world);
    const [x10, y10] = viewport.worldToCanvas(world.map((w, i) => w + 10 * viewUp[i]));
    return { x, y, pxPerMm: Math.hypot(x10 - x, y10 - y) / 10 };
  }, point);
}
