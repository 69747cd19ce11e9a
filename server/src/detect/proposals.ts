import { voxelDistanceMm, type Vec3, type Volume } from '../domain/volume.ts';
import { blockGrid, downsampleMeans, toSourceIndex, type BoxRows, type DownsampleRequest, type SampledGrid } from '../imaging/downsample.ts';
import { cropBox, type Box } from '../imaging/grid.ts';
import { gaussianSmooth } from '../imaging/gaussian.ts';
import { symmetricEigenvalues } from '../imaging/symmetric-eigen.ts';
import type { LungMask } from '../pipeline/lungs.ts';

/**
 * Which blob filter found a proposal: the one over every density (HU clamped at `maxHu`), or the
 * subsolid pass, which sees only what is fainter than `subsolidMaxHu`.
 */
export type ProposalPass = 'all-densities' | 'subsolid';

/** A local maximum of the scale-normalised blob filter, with the features a scorer needs. */
export interface Proposal {
  readonly pass: ProposalPass;
  readonly centreVoxel: Vec3;
  /** Diameter of the sphere that peaks at this scale: 2·√3·σ (Lindeberg, IJCV 30(2), 1998). */
  readonly diameterMm: number;
  readonly sigmaMm: number;
  /** Scale-normalised −σ²∇²G∗I in HU: about a third to a half of a sphere's contrast at its peak. */
  readonly response: number;
  /** Hessian eigenvalues (σ²-normalised, HU) sorted by increasing magnitude. */
  readonly eigenvalues: readonly [number, number, number];
  /** Smallest over largest eigenvalue magnitude when all three are negative: 1 sphere, 0 tube or plate. */
  readonly blobness: number;
  /** Smoothed HU at the centre. */
  readonly centreHu: number;
}

export interface ProposalOptions {
  /** Blob-filter scales (mm). Spheres of 4..28 mm diameter peak in this range. */
  readonly sigmasMm?: readonly number[];
  /** Smallest response kept (HU). */
  readonly minResponse?: number;
  /** Also run the subsolid pass (its proposals come after the others, `pass: 'subsolid'`). */
  readonly subsolidPass?: boolean;
}

const defaultSigmasMm = [1.2, 1.7, 2.4, 3.4, 4.8, 6.8];
/** Each scale runs on a grid where its sigma is about this many voxels: coarse grids for large scales. */
const sigmaInVoxels = 1.2;
/**
 * The finest grid used, per axis: proposals for 4 mm nodules need no more than ~1.4 mm in-plane
 * and 2 mm through-plane (the network reads its patches at 2 mm too). Thin-slice scans (1 mm)
 * are paired into 2 mm: half the work of the finest scales, a third of the proposal stage.
 */
const finestSpacingMm = [1.4, 1.4, 2] as const;
/** Everything outside the lung is set to aerated-lung density so the chest wall and mediastinum do not respond. */
const outsideLungHu = -850;
/** Calcium and bone above this add nothing to blobness; clamping keeps their huge values from dominating. */
const maxHu = 200;
/**
 * The subsolid pass sets everything denser than this to aerated lung: vessels and solid tissue
 * vanish, and a ground-glass nodule (-600 to -450 HU) lying on a vessel becomes a blob of its own.
 * In the pass over every density such a nodule has no maximum of its own, or one ranked far below
 * the vessels: in 30 training phantoms, 35 subsolid nodules of 5-10 mm (34 on vessels) had no
 * proposal among that pass's best 1024, and this pass put 28 of them among its best 256.
 * 100 HU above the densest ground glass, for the noise.
 */
const subsolidMaxHu = -350;
/** Ground-glass and part-solid nodules of 5-12 mm peak here; larger ones stand out in the other pass. */
const subsolidSigmasMm = [1.7, 2.4, 3.4];
/** Half the other pass's 60: ground glass has a third to a half of a vessel's contrast against the lung. */
const subsolidMinResponse = 30;

/**
 * Candidate nodule centres: multi-scale, spacing-aware Laplacian-of-Gaussian blob detection inside
 * the lungs, with Hessian shape features at each maximum. Scales run on block-averaged grids
 * chosen per scale (cost falls with the scale), restricted to the lungs' bounding box.
 */
export function proposeCandidates(volume: Volume, lungs: LungMask, options: ProposalOptions = {}): Proposal[] {
  const plan = planBlobFilter(volume, lungs, options, 1);
  if (!plan) return [];
  const groups = blobScaleGroups(plan, plan.slabs.map(downsampleLungSlab), 1);
  return collectProposals(volume, lungs, groups, groups.map(groupMaxima));
}

/** Runs the blob filter's parts where it likes (the detector spreads them over threads). */
export interface BlobFilterRunners {
  /** Block-averages slabs of the lungs' box (`downsampleLungSlab`). */
  readonly slabs: (slabs: readonly LungBoxSlab[]) => Promise<Float32Array[][]>;
  /** Runs groups of scales (`groupMaxima`). */
  readonly groups: (groups: readonly BlobScaleGroup[]) => Promise<ScaleMaximum[][][]>;
}

/** proposeCandidates with the lungs' box cut into slabs and the scales grouped for `threads` threads, run by `run`: the same proposals. */
export async function proposeCandidatesWith(run: BlobFilterRunners, threads: number, volume: Volume, lungs: LungMask, options: ProposalOptions = {}): Promise<Proposal[]> {
  const plan = planBlobFilter(volume, lungs, options, threads);
  if (!plan) return [];
  const groups = blobScaleGroups(plan, await run.slabs(plan.slabs), threads);
  return collectProposals(volume, lungs, groups, await run.groups(groups));
}

/**
 * Whole planes of the lungs' box to block-average for every pass's grids: plain data, so a helper
 * thread can take it. `source` is the scan itself for the slab the calling thread keeps, and a
 * copy of just the slab's box for the others.
 */
export interface LungBoxSlab {
  readonly source: { readonly voxels: Int16Array; readonly mask: Uint8Array; readonly dims: readonly [number, number, number] };
  /** The slab in `source` voxels. */
  readonly box: Box;
  readonly spacing: readonly [number, number, number];
  /** One layer per pass: 0 every density, 1 (when asked for) the subsolid pass's. */
  readonly layers: number;
  readonly requests: readonly DownsampleRequest[];
}

/** The slab's part of each requested grid: whole block planes, as the slab starts and (but for the last) ends on a block boundary. */
export function downsampleLungSlab({ source, box, spacing, layers, requests }: LungBoxSlab): Float32Array[] {
  return downsampleMeans(maskedLungRows(source, box), layers, { dims: source.dims, spacing }, box, requests).map((grid) => grid.data);
}

/** Scales of the blob filter that run on one block-averaged grid of the lungs' box: plain data, so a worker thread can take it. */
export interface BlobScaleGroup {
  readonly pass: ProposalPass;
  readonly grid: SampledGrid;
  readonly sigmasMm: readonly number[];
  readonly minResponse: number;
}

/** Local maxima of each of the group's scales, on its grid. */
export function groupMaxima({ grid, sigmasMm, minResponse }: BlobScaleGroup): ScaleMaximum[][] {
  return sigmasMm.map((sigma) => blobMaxima(gaussianSmooth(grid.data, grid, sigma), grid, sigma, minResponse));
}

/** Relative cost of a group (grid voxels times kernel taps, per scale), to share groups between threads. */
export function blobScaleGroupCost({ grid, sigmasMm }: BlobScaleGroup): number {
  const taps = (sigma: number) => grid.spacing.reduce((sum, s) => sum + 2 * Math.ceil((3 * sigma) / s) + 1, 0);
  return sigmasMm.reduce((sum, sigma) => sum + grid.data.length * (10 + taps(sigma)), 0);
}

interface BlobFilterPlan {
  readonly passes: ReadonlyArray<{ readonly pass: ProposalPass; readonly minResponse: number; readonly gridScales: ReadonlyArray<{ factors: [number, number, number]; sigmasMm: number[] }> }>;
  readonly requests: readonly DownsampleRequest[];
  readonly slabs: readonly LungBoxSlab[];
  readonly box: Box;
  readonly spacing: readonly [number, number, number];
}

/**
 * Every pass's scales grouped by the grid each runs on, and the lungs' box cut into one slab of
 * whole planes per thread, each made in one pass over its part of the scan for every grid. Slabs
 * start on a multiple of every grid's block depth, so no block straddles two: the slabs' grids
 * stacked are the whole box's, value for value.
 */
function planBlobFilter(volume: Volume, lungs: LungMask, options: ProposalOptions, threads: number): BlobFilterPlan | undefined {
  if (!lungs.found) return undefined;
  const passes = [
    { pass: 'all-densities' as const, gridScales: scalesByGrid(volume, options.sigmasMm ?? defaultSigmasMm), minResponse: options.minResponse ?? 60 },
    ...(options.subsolidPass ? [{ pass: 'subsolid' as const, gridScales: scalesByGrid(volume, subsolidSigmasMm), minResponse: subsolidMinResponse }] : []),
  ];
  const requests = passes.flatMap(({ gridScales }, layer) => gridScales.map(({ factors }) => ({ layer, factors })));
  const box = lungs.bounds;
  const depth = requests.reduce((l, { factors }) => lcm(l, factors[2]), 1);
  const planes = Math.max(depth, Math.ceil(box.size[2] / threads / depth) * depth);
  const slabs: LungBoxSlab[] = [];
  for (let first = 0; first < box.size[2]; first += planes) {
    const slabBox: Box = { offset: [box.offset[0], box.offset[1], box.offset[2] + first], size: [box.size[0], box.size[1], Math.min(planes, box.size[2] - first)] };
    const source = first === 0
      ? { voxels: volume.voxels, mask: lungs.mask, dims: volume.dims }
      : { voxels: cropBox(volume.voxels, volume.dims, slabBox), mask: cropBox(lungs.mask, volume.dims, slabBox), dims: slabBox.size };
    slabs.push({ source, box: first === 0 ? slabBox : { offset: [0, 0, 0], size: slabBox.size }, spacing: volume.spacing, layers: passes.length, requests });
  }
  return { passes, requests, slabs, box, spacing: volume.spacing };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;

/**
 * The groups of scales on the grids stacked from the slabs' parts. For several threads, a group
 * that would take more than its share of the work gives its scales up to groups of their own on
 * the same grid.
 */
function blobScaleGroups({ passes, requests, box, spacing }: BlobFilterPlan, slabParts: readonly Float32Array[][], threads: number): BlobScaleGroup[] {
  const grids = requests.map(({ factors }, r): SampledGrid => ({ ...blockGrid(spacing, box, factors), data: stacked(slabParts.map((parts) => parts[r])) }));
  let next = 0;
  const groups: BlobScaleGroup[] = passes.flatMap(({ pass, gridScales, minResponse }) => gridScales.map(({ sigmasMm }) => ({ pass, grid: grids[next++], minResponse, sigmasMm })));
  if (threads > 1) {
    const share = groups.reduce((sum, g) => sum + blobScaleGroupCost(g), 0) / threads;
    for (let g = 0; g < groups.length; g++) {
      while (groups[g].sigmasMm.length > 1 && blobScaleGroupCost(groups[g]) > share) {
        const [last, ...kept] = [...groups[g].sigmasMm].reverse();
        groups[g] = { ...groups[g], sigmasMm: kept.reverse() };
        groups.push({ ...groups[g], sigmasMm: [last] });
      }
    }
  }
  return groups;
}

/** The slabs' parts of one grid, one after the other (one slab's part as it is: a full scan's grids are tens of MB). */
function stacked(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const data = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.length;
  }
  return data;
}

/** A pass's scales, grouped by the grid each runs on (coarser for larger scales). */
function scalesByGrid(volume: Volume, sigmas: readonly number[]): Array<{ factors: [number, number, number]; sigmasMm: number[] }> {
  const factorsOf = (sigmaMm: number) => volume.spacing.map((s, axis) => Math.max(
    Math.max(1, Math.round(finestSpacingMm[axis] / s)),
    Math.floor(sigmaMm / (sigmaInVoxels * s)),
  )) as [number, number, number];
  const byGrid = new Map<string, { factors: [number, number, number]; sigmasMm: number[] }>();
  for (const sigma of sigmas) {
    const factors = factorsOf(sigma);
    const group = byGrid.get(factors.join('x'));
    if (group) group.sigmasMm.push(sigma);
    else byGrid.set(factors.join('x'), { factors, sigmasMm: [sigma] });
  }
  return [...byGrid.values()];
}

/**
 * Rows of `box` in `source` for both passes: layer 0 with HU clamped to `maxHu` and everything
 * outside the lungs at `outsideLungHu`; layer 1 (when asked for) the same with voxels denser than
 * `subsolidMaxHu` counted as outside too.
 */
function maskedLungRows({ voxels, mask, dims: [nx, ny] }: LungBoxSlab['source'], { offset, size }: Box): BoxRows {
  return (j, k, lines) => {
    const all = lines[0];
    const subsolid = lines[1];
    const row = offset[0] + (offset[1] + j) * nx + (offset[2] + k) * nx * ny;
    for (let i = 0; i < size[0]; i++) {
      const hu = voxels[row + i];
      const inLung = mask[row + i] !== 0;
      all[i] = inLung ? Math.min(maxHu, hu) : outsideLungHu;
      if (subsolid) subsolid[i] = inLung && hu <= subsolidMaxHu ? hu : outsideLungHu;
    }
  };
}

/** Each pass's maxima, suppressed within the pass (a subsolid proposal does not hide behind a vessel's). */
function collectProposals(volume: Volume, lungs: LungMask, groups: readonly BlobScaleGroup[], maxima: readonly ScaleMaximum[][][]): Proposal[] {
  const passes: ProposalPass[] = ['all-densities', 'subsolid'];
  return passes.flatMap((pass) => {
    // In the order of the scales, whatever the grouping: the suppression keeps the first of equals.
    const scales = groups.flatMap((group, g) => group.pass !== pass ? [] : group.sigmasMm.map((sigma, s) => ({ sigma, grid: group.grid, found: maxima[g][s] })))
      .sort((a, b) => a.sigma - b.sigma);
    return scales.length ? passProposals(volume, lungs, pass, scales) : [];
  });
}

function passProposals(volume: Volume, lungs: LungMask, pass: ProposalPass, scales: ReadonlyArray<{ sigma: number; grid: SampledGrid; found: readonly ScaleMaximum[] }>): Proposal[] {
  const proposals: Proposal[] = [];
  for (const { sigma, grid, found } of scales) {
    for (const p of found) {
      const centre = {
        x: toSourceIndex(grid, 0, p.i),
        y: toSourceIndex(grid, 1, p.j),
        z: toSourceIndex(grid, 2, p.k),
      };
      const at = Math.round(centre.x) + Math.round(centre.y) * volume.dims[0] + Math.round(centre.z) * volume.dims[0] * volume.dims[1];
      if (!lungs.mask[at]) continue;
      const ev = p.eigenvalues;
      const blobness = ev[2] < 0 && ev[1] < 0 && ev[0] < 0 ? Math.abs(ev[0]) / Math.abs(ev[2]) : 0;
      proposals.push({
        pass, centreVoxel: centre, diameterMm: 2 * Math.sqrt(3) * sigma, sigmaMm: sigma,
        response: p.response, eigenvalues: ev, blobness, centreHu: p.value,
      });
    }
  }
  return suppressOverlaps(proposals, volume.spacing);
}

export interface ScaleMaximum {
  readonly i: number;
  readonly j: number;
  readonly k: number;
  readonly response: number;
  readonly value: number;
  readonly eigenvalues: [number, number, number];
}

/** Local maxima (26-neighbourhood) of −σ²∇²(smoothed) above minResponse, with their Hessians. */
function blobMaxima(s: Float32Array, grid: SampledGrid, sigma: number, minResponse: number): ScaleMaximum[] {
  const [nx, ny, nz] = grid.dims;
  const plane = nx * ny;
  const [hx, hy, hz] = grid.spacing;
  const norm = sigma * sigma;
  const response = new Float32Array(s.length);
  // One-sided neighbours at the slab's first and last slice (replicated border): a nodule on the
  // edge of an 11-slice slab still needs a response there.
  const at = (i: number, j: number, k: number) => s[Math.min(nx - 1, Math.max(0, i)) + Math.min(ny - 1, Math.max(0, j)) * nx + Math.min(nz - 1, Math.max(0, k)) * plane];
  for (let k = 0; k < nz; k++) {
    // The planes either side, the first and last replicated (`at`'s border), found once per plane.
    const below = (Math.max(0, k - 1) - k) * plane;
    const above = (Math.min(nz - 1, k + 1) - k) * plane;
    for (let j = 1; j < ny - 1; j++) {
      for (let i = 1; i < nx - 1; i++) {
        const n = i + j * nx + k * plane;
        const c = 2 * s[n];
        const lxx = (s[n - 1] + s[n + 1] - c) / (hx * hx);
        const lyy = (s[n - nx] + s[n + nx] - c) / (hy * hy);
        const lzz = nz > 1 ? (s[n + below] + s[n + above] - c) / (hz * hz) : 0;
        response[n] = -norm * (lxx + lyy + lzz);
      }
    }
  }
  const maxima: ScaleMaximum[] = [];
  // A maximum on the first or last slice cannot be told from the border's replicated values.
  const edge = nz >= 3 ? 1 : 0;
  for (let k = edge; k < nz - edge; k++) {
    for (let j = 1; j < ny - 1; j++) {
      for (let i = 1; i < nx - 1; i++) {
        const n = i + j * nx + k * plane;
        const r = response[n];
        if (r < minResponse) continue;
        let isMax = true;
        for (let dk = -1; dk <= 1 && isMax; dk++) {
          const kk = k + dk;
          if (kk < 0 || kk >= nz) continue;
          for (let dj = -1; dj <= 1 && isMax; dj++) {
            for (let di = -1; di <= 1; di++) {
              if (!di && !dj && !dk) continue;
              if (response[n + di + dj * nx + dk * plane] > r) { isMax = false; break; }
            }
          }
        }
        if (!isMax) continue;
        const c = 2 * s[n];
        const hxx = (s[n - 1] + s[n + 1] - c) / (hx * hx);
        const hyy = (s[n - nx] + s[n + nx] - c) / (hy * hy);
        const hzz = nz > 1 ? (at(i, j, k - 1) + at(i, j, k + 1) - c) / (hz * hz) : 0;
        const hxy = (at(i + 1, j + 1, k) - at(i - 1, j + 1, k) - at(i + 1, j - 1, k) + at(i - 1, j - 1, k)) / (4 * hx * hy);
        const hxz = (at(i + 1, j, k + 1) - at(i - 1, j, k + 1) - at(i + 1, j, k - 1) + at(i - 1, j, k - 1)) / (4 * hx * hz);
        const hyz = (at(i, j + 1, k + 1) - at(i, j - 1, k + 1) - at(i, j + 1, k - 1) + at(i, j - 1, k - 1)) / (4 * hy * hz);
        const ev = symmetricEigenvalues(norm * hxx, norm * hyy, norm * hzz, norm * hxy, norm * hxz, norm * hyz);
        maxima.push({ i, j, k, response: r, value: s[n], eigenvalues: ev });
      }
    }
  }
  return maxima;
}

/**
 * Cross-scale non-maximum suppression: strongest first, a proposal is dropped when its centre lies
 * inside the sphere of a stronger one that is kept. Kept proposals are bucketed in cells as large
 * as the largest radius, so each check looks at 27 cells (a full chest has tens of thousands of maxima).
 */
function suppressOverlaps(proposals: Proposal[], spacing: readonly [number, number, number]): Proposal[] {
  const sorted = [...proposals].sort((a, b) => b.response - a.response);
  // Loops, not Math.max(...list): a full chest has tens of thousands of maxima, near the engine's argument limit.
  const cellMm = proposals.reduce((largest, p) => Math.max(largest, p.diameterMm / 2), 1);
  const cells = new Map<number, Proposal[]>();
  const cellOf = (p: Proposal) => [p.centreVoxel.x * spacing[0], p.centreVoxel.y * spacing[1], p.centreVoxel.z * spacing[2]]
    .map((v) => Math.floor(v / cellMm));
  // A number per cell: indices run from -1 (a neighbour of cell 0) to one past the farthest centre's cell.
  const farthestMm = proposals.reduce((far, { centreVoxel: c }) => Math.max(far, c.x * spacing[0], c.y * spacing[1], c.z * spacing[2]), 0);
  const cellsPerAxis = Math.floor(farthestMm / cellMm) + 3;
  const keyOf = (x: number, y: number, z: number) => (x + 1) + (y + 1) * cellsPerAxis + (z + 1) * cellsPerAxis * cellsPerAxis;
  const kept: Proposal[] = [];
  for (const p of sorted) {
    const [cx, cy, cz] = cellOf(p);
    let inside = false;
    for (let dz = -1; dz <= 1 && !inside; dz++) {
      for (let dy = -1; dy <= 1 && !inside; dy++) {
        for (let dx = -1; dx <= 1 && !inside; dx++) {
          const near = cells.get(keyOf(cx + dx, cy + dy, cz + dz));
          inside = near !== undefined && near.some((q) => voxelDistanceMm(p.centreVoxel, q.centreVoxel, spacing) < q.diameterMm / 2);
        }
      }
    }
    if (inside) continue;
    kept.push(p);
    const key = keyOf(cx, cy, cz);
    const list = cells.get(key);
    if (list) list.push(p);
    else cells.set(key, [p]);
  }
  return kept;
}
