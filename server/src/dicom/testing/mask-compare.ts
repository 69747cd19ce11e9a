/** Dice overlap of two BoxMasks in the same grid (test support). */
import type { BoxMask } from '../../domain/index.ts';

export function gridVoxels(mask: BoxMask, columns: number, rows: number): Set<number> {
  const out = new Set<number>();
  const [w, h, d] = mask.size;
  for (let k = 0; k < d; k++) for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) {
    if (mask.data[i + j * w + k * w * h]) out.add(i + mask.offset[0] + (j + mask.offset[1]) * columns + (k + mask.offset[2]) * columns * rows);
  }
  return out;
}

export function dice(a: BoxMask, b: BoxMask, columns: number, rows: number): number {
  const va = gridVoxels(a, columns, rows);
  const vb = gridVoxels(b, columns, rows);
  let both = 0;
  for (const v of va) if (vb.has(v)) both++;
  return (2 * both) / (va.size + vb.size);
}
