import { afterAll, describe, expect, it } from 'vitest';
import { proposeCandidates, proposeCandidatesWith, blobScaleGroupCost, type BlobScaleGroup, type LungBoxSlab } from '../detect/proposals.ts';
import { createPatchSampler, createPatchSamplerWith, patchVoxelCount } from '../inference/patch.ts';
import { generatePhantom } from '../phantom/generate.ts';
import { segmentLungs } from '../pipeline/lungs.ts';
import { placeSegmentation, segmentCrop, segmentNoduleOnce, segmentationCrop } from '../pipeline/segment.ts';
import { createThreadPool, shareByCost } from './thread-pool.ts';

describe('shareByCost', () => {
  it('gives the largest first to the least loaded thread, and the pinned ones to the caller', () => {
    // 5 to the helper (a tie), 4 here; 3 here (4 < 5), the other 3 to the helper, 1 here.
    expect(shareByCost([5, 1, 4, 3, 3], 2)).toEqual([[1, 2, 3], [0, 4]]);
    expect(shareByCost([1, 9, 1], 2, [false, true, false])).toEqual([[1], [0, 2]]);
    expect(shareByCost([2, 2], 1)).toEqual([[0, 1]]);
  });
});

// One helper thread besides this one, as on the reference 2-core host.
describe('a pool of two threads', () => {
  const pool = createThreadPool(2);
  afterAll(() => pool.close());
  const { volume, truth } = generatePhantom({
    seed: 77, matrix: 192, pixelSpacingMm: 1.6, slices: 48, sliceSpacingMm: 2.5,
    nodules: [
      { diameterMm: 8, type: 'solid', shape: 'round', attachment: 'free' },
      { diameterMm: 10, type: 'part-solid', shape: 'lobulated', attachment: 'juxtavascular' },
    ],
  });
  const lungs = segmentLungs(volume);

  it('finds the same blob proposals as one thread', async () => {
    expect(pool.helpers).toBe(1);
    const alone = proposeCandidates(volume, lungs);
    expect(alone.length).toBeGreaterThan(20);
    const slabDepths: number[][] = [];
    const runners = {
      slabs: (slabs: readonly LungBoxSlab[]) => {
        slabDepths.push(slabs.map((slab) => slab.box.size[2]));
        return pool.map('lungBoxSlab', slabs, (slab) => slab.box.size[2], (slab) => slab.source.voxels === volume.voxels);
      },
      groups: (groups: readonly BlobScaleGroup[]) => pool.map('blobScales', groups, blobScaleGroupCost),
    };
    const shared = await proposeCandidatesWith(runners, 2, volume, lungs);
    expect(shared).toEqual(alone);
    const withSubsolid = await proposeCandidatesWith(runners, 2, volume, lungs, { subsolidPass: true });
    expect(withSubsolid).toEqual(proposeCandidates(volume, lungs, { subsolidPass: true }));
    // The lungs' box went out in two slabs, one to the helper, the first ending on a block boundary of
    // every grid (the 6.8 mm scale averages 2 slices of 2.5 mm): stacked, the same grids.
    expect(slabDepths).toEqual([[lungs.bounds.size[2] - slabDepths[0][1], slabDepths[0][1]], slabDepths[0]]);
    expect(slabDepths[0][0] % 2).toBe(0);
  });

  it('cuts the same patches from a grid resampled in slabs', async () => {
    const geometry = { size: [32, 32, 16], spacingMm: [1.25, 1.25, 2] } as const;
    const whole = createPatchSampler(volume, geometry, lungs.bounds);
    const slabbed = await createPatchSamplerWith(
      (slabs) => pool.map('gridSlab', slabs, (slab) => patchVoxelCount(slab.geometry), (slab) => slab.source === volume),
      3, volume, geometry, lungs.bounds,
    );
    const voxels = patchVoxelCount(geometry);
    for (const nodule of truth.nodules) {
      const a = new Float32Array(voxels);
      const b = new Float32Array(voxels);
      whole(nodule.centreVoxel, a);
      slabbed(nodule.centreVoxel, b);
      expect(b).toEqual(a);
      expect(Math.max(...a)).toBeGreaterThan(-200);
    }
  });

  it('segments on the helper as on this thread', async () => {
    const candidates = truth.nodules.map((n) => ({ centreVoxel: n.centreVoxel, diameterMm: n.diameterMm }));
    const crops = candidates.map((c) => segmentationCrop(volume, lungs, c));
    const boxes = crops.map((crop) => crop.box);
    // One crop each: the first to the helper (a tie), the other here.
    const segmented = await pool.map('segmentCrop', crops, () => 1);
    candidates.forEach((c, n) => {
      const here = segmentNoduleOnce(volume, lungs, c);
      expect(here?.mask.data.length).toBeGreaterThan(20);
      expect(placeSegmentation(boxes[n], segmented[n], volume.dims)).toEqual(here);
    });
  });

  it('rejects with the helper\'s error, and keeps working after it', async () => {
    const crop = segmentationCrop(volume, lungs, { centreVoxel: truth.nodules[0].centreVoxel, diameterMm: 8 });
    // A crop without its box: the helper throws on reading its size.
    const broken = { ...crop, box: undefined as unknown as typeof crop.box };
    await expect(pool.map('segmentCrop', [broken], () => 1)).rejects.toThrow(/helper thread: Cannot read properties of undefined/);
    // Failing here as well as on the helper: one error, and nothing left unhandled.
    await expect(pool.map('segmentCrop', [broken, broken], () => 1)).rejects.toThrow(/Cannot read properties of undefined/);
    const again = segmentationCrop(volume, lungs, { centreVoxel: truth.nodules[0].centreVoxel, diameterMm: 8 });
    const expected = segmentCrop(segmentationCrop(volume, lungs, { centreVoxel: truth.nodules[0].centreVoxel, diameterMm: 8 }));
    const [result] = await pool.map('segmentCrop', [again], () => 1);
    expect(result?.nodule).toEqual(expected?.nodule);
  });
});
