export interface Components {
  /** 0 = background, 1..count = component of the voxel. */
  readonly labels: Int32Array;
  readonly count: number;
  /** Voxel count of component c at sizes[c] (sizes[0] is unused). */
  readonly sizes: readonly number[];
}

/**
 * Face-connected (6-neighbour) components of the non-zero voxels, by flood fill with a typed stack
 * (no per-voxel objects or closures: this runs over tens of millions of voxels). `planar` labels
 * each axial slice separately (4-neighbour).
 */
export function labelComponents(mask: Uint8Array, dims: readonly [number, number, number], planar = false): Components {
  const labels = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  const sizes = [0];
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    count++;
    sizes.push(floodFill(mask, dims, start, labels, count, stack, planar));
  }
  return { labels, count, sizes };
}

/** A mask (1/0) of the voxels that carry `label`; all zero for label 0. */
export function componentMask(components: Components, label: number): Uint8Array {
  const out = new Uint8Array(components.labels.length);
  if (label <= 0) return out;
  const { labels } = components;
  for (let n = 0; n < labels.length; n++) if (labels[n] === label) out[n] = 1;
  return out;
}

/**
 * The face-connected component of the non-zero voxels that holds `seed` (a linear index), as a mask
 * (1/0); all zero for a seed that is negative or not set. One flood fill from the seed: what
 * `componentMask(labelComponents(mask, dims), labels[seed])` gives, without labelling the rest
 * (a segmentation's crop is mostly lung, vessels and other nodules' pieces).
 */
export function componentOf(mask: Uint8Array, dims: readonly [number, number, number], seed: number): Uint8Array {
  if (seed < 0 || !mask[seed]) return new Uint8Array(mask.length);
  // Marks of the type labelComponents uses, so that the fill sees one array type.
  const marks = new Int32Array(mask.length);
  floodFill(mask, dims, seed, marks, 1, new Int32Array(mask.length), false);
  return Uint8Array.from(marks);
}

/** Sets `marks` to `mark` over the set, unmarked voxels face-connected to `seed` (set, unmarked); returns how many. */
function floodFill(mask: Uint8Array, [nx, ny, nz]: readonly [number, number, number], seed: number, marks: Int32Array, mark: number, stack: Int32Array, planar: boolean): number {
  const plane = nx * ny;
  let size = 0;
  let top = 0;
  marks[seed] = mark;
  stack[top++] = seed;
  while (top > 0) {
    const p = stack[--top];
    size++;
    const k = Math.floor(p / plane);
    const inPlane = p - k * plane;
    const j = Math.floor(inPlane / nx);
    const i = inPlane - j * nx;
    let q = p - 1;
    if (i > 0 && mask[q] && !marks[q]) { marks[q] = mark; stack[top++] = q; }
    q = p + 1;
    if (i < nx - 1 && mask[q] && !marks[q]) { marks[q] = mark; stack[top++] = q; }
    q = p - nx;
    if (j > 0 && mask[q] && !marks[q]) { marks[q] = mark; stack[top++] = q; }
    q = p + nx;
    if (j < ny - 1 && mask[q] && !marks[q]) { marks[q] = mark; stack[top++] = q; }
    if (planar) continue;
    q = p - plane;
    if (k > 0 && mask[q] && !marks[q]) { marks[q] = mark; stack[top++] = q; }
    q = p + plane;
    if (k < nz - 1 && mask[q] && !marks[q]) { marks[q] = mark; stack[top++] = q; }
  }
  return size;
}
