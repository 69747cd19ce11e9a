import type { PixelPoint } from './lidc-xml.ts';

/**
 * A 2D bitmap over a window of one slice: pixel (x, y) is `data[(x - x0) + (y - y0) * width]`.
 * Pixels are addressed by their centres (integer column, row), as LIDC edge maps are.
 */
export interface SlicePlane {
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function createPlane(x0: number, y0: number, width: number, height: number): SlicePlane {
  return { x0, y0, width, height, data: new Uint8Array(width * height) };
}

function setPixel(plane: SlicePlane, x: number, y: number, value: 0 | 1): void {
  const i = x - plane.x0;
  const j = y - plane.y0;
  if (i >= 0 && j >= 0 && i < plane.width && j < plane.height) plane.data[i + j * plane.width] = value;
}

/** The pixels on the closed polyline through `points` (last joined to first), 8-connected (Bresenham). */
export function boundaryPixels(points: readonly PixelPoint[]): PixelPoint[] {
  const out: PixelPoint[] = [];
  for (let n = 0; n < points.length; n++) {
    const a = points[n];
    const b = points[(n + 1) % points.length];
    let x = a.x;
    let y = a.y;
    const dx = Math.abs(b.x - a.x);
    const dy = -Math.abs(b.y - a.y);
    const sx = a.x < b.x ? 1 : -1;
    const sy = a.y < b.y ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      out.push({ x, y });
      if (x === b.x && y === b.y) break;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x += sx; }
      if (e2 <= dx) { err += dx; y += sy; }
    }
  }
  return out;
}

/**
 * Calls `visit` for every pixel whose centre lies strictly inside the polygon (even-odd rule,
 * scanline with the half-open rule at vertices so a vertex on a scanline is counted once).
 */
function forEachInteriorPixel(points: readonly PixelPoint[], visit: (x: number, y: number) => void): void {
  if (points.length < 3) return;
  const ys = points.map((p) => p.y);
  const yMin = Math.min(...ys);
  const yMax = Math.max(...ys);
  for (let y = yMin; y <= yMax; y++) {
    const crossings: number[] = [];
    for (let n = 0; n < points.length; n++) {
      const a = points[n];
      const b = points[(n + 1) % points.length];
      if ((a.y <= y && y < b.y) || (b.y <= y && y < a.y)) {
        crossings.push(a.x + ((y - a.y) * (b.x - a.x)) / (b.y - a.y));
      }
    }
    crossings.sort((p, q) => p - q);
    for (let c = 0; c + 1 < crossings.length; c += 2) {
      for (let x = Math.floor(crossings[c]) + 1; x < crossings[c + 1]; x++) visit(x, y);
    }
  }
}

/**
 * Marks the region of an inclusion contour. LIDC readers drew the contour just outside the nodule
 * and pylidc counts the contour pixels in the mask (its `boolean_mask`); we do the same, so that a
 * small nodule outlined by a ring of pixels is not emptied.
 */
export function paintRegion(plane: SlicePlane, contour: readonly PixelPoint[]): void {
  forEachInteriorPixel(contour, (x, y) => setPixel(plane, x, y, 1));
  for (const p of boundaryPixels(contour)) setPixel(plane, p.x, p.y, 1);
}

/**
 * Clears the region of an exclusion (inclusion = FALSE) contour. The hole's contour is also drawn
 * around the excluded region, from the nodule's side, so its pixels stay in the nodule: only pixels
 * strictly inside the hole contour and not on it are cleared.
 */
export function paintHole(plane: SlicePlane, contour: readonly PixelPoint[]): void {
  const onBoundary = new Set(boundaryPixels(contour).map((p) => `${p.x},${p.y}`));
  forEachInteriorPixel(contour, (x, y) => {
    if (!onBoundary.has(`${x},${y}`)) setPixel(plane, x, y, 0);
  });
}
