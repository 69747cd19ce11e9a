/**
 * The key image of a nodule for the report: the axial slice through its centre in a lung window,
 * cropped around it and enlarged, with the outline of its segmentation mask drawn on it. Pure:
 * volume and finding in, RGB pixels out (the PDF embeds them).
 */
import type { Finding } from '../domain/finding.ts';
import type { Volume } from '../domain/volume.ts';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** Row-major, 3 bytes (R, G, B) per pixel, top row first. */
  readonly rgb: Uint8Array;
}

/** Lung window (centre -600 HU, width 1500 HU), the usual setting for reading lung nodules. */
export const lungWindow = { centreHu: -600, widthHu: 1500 } as const;
const outlineColour = [255, 48, 48] as const;

export interface KeyImageOptions {
  /** Output size in pixels (square). */
  readonly sizePx?: number;
  /** Smallest field of view (mm); it grows to 4 long axes so that large nodules keep context. */
  readonly minFieldMm?: number;
}

function windowed(hu: number): number {
  const low = lungWindow.centreHu - lungWindow.widthHu / 2;
  return Math.max(0, Math.min(255, Math.round(((hu - low) / lungWindow.widthHu) * 255)));
}

export function renderKeyImage(volume: Volume, finding: Finding, options: KeyImageOptions = {}): RgbImage {
  const size = options.sizePx ?? 256;
  const [columns, rows, slices] = volume.dims;
  const [sx, sy] = volume.spacing;
  const fieldMm = keyImageFieldMm(finding, options);
  const k = Math.min(slices - 1, Math.max(0, Math.round(finding.centroidVoxel.z)));
  const sliceOffset = k * columns * rows;
  // Output pixel (u, v) → fractional voxel (x, y): square pixels of fieldMm / size.
  const mmPerPx = fieldMm / size;
  const x0 = finding.centroidVoxel.x - fieldMm / 2 / sx;
  const y0 = finding.centroidVoxel.y - fieldMm / 2 / sy;
  const voxelX = (u: number) => x0 + ((u + 0.5) * mmPerPx) / sx - 0.5;
  const voxelY = (v: number) => y0 + ((v + 0.5) * mmPerPx) / sy - 0.5;

  const huAt = (x: number, y: number) => {
    const i = Math.min(columns - 1, Math.max(0, x));
    const j = Math.min(rows - 1, Math.max(0, y));
    return volume.voxels[sliceOffset + i + j * columns];
  };
  const { mask } = finding;
  const inMask = (x: number, y: number) => {
    const i = x - mask.offset[0];
    const j = y - mask.offset[1];
    const kk = k - mask.offset[2];
    if (i < 0 || j < 0 || kk < 0 || i >= mask.size[0] || j >= mask.size[1] || kk >= mask.size[2]) return false;
    return mask.data[i + j * mask.size[0] + kk * mask.size[0] * mask.size[1]] === 1;
  };

  // Inside-mask flags at output resolution (nearest voxel), for the outline.
  const inside = new Uint8Array(size * size);
  const rgb = new Uint8Array(size * size * 3);
  for (let v = 0; v < size; v++) {
    const y = voxelY(v);
    const j0 = Math.floor(y);
    const fy = y - j0;
    for (let u = 0; u < size; u++) {
      const x = voxelX(u);
      const i0 = Math.floor(x);
      const fx = x - i0;
      // Bilinear in HU; outside the image reads the edge voxel.
      const hu = (1 - fy) * ((1 - fx) * huAt(i0, j0) + fx * huAt(i0 + 1, j0)) + fy * ((1 - fx) * huAt(i0, j0 + 1) + fx * huAt(i0 + 1, j0 + 1));
      const grey = windowed(hu);
      const p = (u + v * size) * 3;
      rgb[p] = rgb[p + 1] = rgb[p + 2] = grey;
      inside[u + v * size] = inMask(Math.round(x), Math.round(y)) ? 1 : 0;
    }
  }
  // Outline: inside pixels with an outside 4-neighbour, thickened by one pixel outwards.
  const edge = (u: number, v: number) => u >= 0 && v >= 0 && u < size && v < size && inside[u + v * size] === 1 &&
    (u === 0 || v === 0 || u === size - 1 || v === size - 1 ||
      !inside[u - 1 + v * size] || !inside[u + 1 + v * size] || !inside[u + (v - 1) * size] || !inside[u + (v + 1) * size]);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const onOutline = edge(u, v) || (!inside[u + v * size] && (edge(u - 1, v) || edge(u + 1, v) || edge(u, v - 1) || edge(u, v + 1)));
      if (!onOutline) continue;
      const p = (u + v * size) * 3;
      [rgb[p], rgb[p + 1], rgb[p + 2]] = outlineColour;
    }
  }
  return { width: size, height: size, rgb };
}

/** The field of view of a key image in mm, for its caption. */
export function keyImageFieldMm(finding: Finding, options: KeyImageOptions = {}): number {
  return Math.max(options.minFieldMm ?? 60, 4 * finding.longAxis.lengthMm);
}
