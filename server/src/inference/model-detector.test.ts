import { existsSync } from 'node:fs';
import { describe, expect, it, test } from 'vitest';
import { voxelDistanceMm, type Vec3, type Volume } from '../domain/volume.ts';
import { generatePhantom, generatePhantomSet } from '../phantom/generate.ts';
import { segmentLungs } from '../pipeline/lungs.ts';
import { parseModelManifest } from './model-manifest.ts';
import { proposalScore } from '../detect/classical-detector.ts';
import type { Proposal } from '../detect/proposals.ts';
import { classifiedProposals, segmentedProposals, createModelDetector, defaultModelPath, loadPatchClassifier, secondStageScore } from './model-detector.ts';
import { createPatchSampler, patchVoxelCount, type PatchGeometry } from './patch.ts';

const validMetadata = {
  name: 'm', version: '1', patch_size: '32,32,16', patch_spacing_mm: '1.25,1.25,2', hu_window: '-1000,400',
  output: 'probability', training_data: 'phantoms',
};

describe('parseModelManifest', () => {
  it('reads the patch grid and window', () => {
    const manifest = parseModelManifest(validMetadata);
    expect(manifest.patch).toEqual({ size: [32, 32, 16], spacingMm: [1.25, 1.25, 2] });
    expect(manifest.huWindow).toEqual([-1000, 400]);
  });
  const weights = {
    intercept: -1, networkLogit: 1, blobScoreLogit: 0.5, blobness: 0, response: 0, centreHu: 0, logScaleDiameter: 0,
    segmented: 0, logMaskDiameter: 1, roundness: 2, touchesBox: -1, strandsPerSize: -1,
  };
  it('reads the second stage weights when the model has them', () => {
    expect(parseModelManifest(validMetadata).secondStage).toBeUndefined();
    expect(parseModelManifest({ ...validMetadata, second_stage: JSON.stringify({ ...weights, subsolidPass: 0.3, subsolidResponse: 0.2 }) }).secondStage)
      .toEqual({ ...weights, subsolidPass: 0.3, subsolidResponse: 0.2 });
  });
  it('reads a model from before 1.4.0, without the subsolid pass\'s weights, as weighing them 0', () => {
    expect(parseModelManifest({ ...validMetadata, second_stage: JSON.stringify(weights) }).secondStage).toEqual({ ...weights, subsolidPass: 0, subsolidResponse: 0 });
  });
  test.each([
    ['second_stage', '{"intercept":', /"second_stage" must be JSON/],
    ['second_stage', JSON.stringify({ ...weights, roundness: 'high' }), /every weight as a number \(roundness\)/],
    ['second_stage', JSON.stringify({ ...weights, extra: 1 }), /every weight as a number/],
    ['name', undefined, /"name" is missing/],
    ['patch_size', '32,32', /"patch_size" must be 3/],
    ['patch_size', '32,32,2', /integers from 4 to 128/],
    ['patch_spacing_mm', '1,1,0', /above 0.1/],
    ['hu_window', '400,-1000', /low < high/],
  ])('refuses %s = %s', (key, value, message) => {
    expect(() => parseModelManifest({ ...validMetadata, [key]: value as string })).toThrow(message);
  });
});

function rampVolume(dims: [number, number, number], spacing: [number, number, number]): Volume {
  const voxels = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    voxels[i + j * dims[0] + k * dims[0] * dims[1]] = 3 * i + 5 * j + 7 * k;
  }
  const axes = [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }, { x: 0, y: 0, z: 1 }] as const;
  return { voxels, dims, spacing, origin: { x: 0, y: 0, z: 0 }, direction: axes, source: {} as Volume['source'] };
}

describe('createPatchSampler', () => {
  const geometry: PatchGeometry = { size: [4, 4, 2], spacingMm: [1.4, 1.4, 2] };
  it.each([
    ['the same spacing', [0.7, 0.7, 1] as [number, number, number]],
    ['a finer source (box-averaged)', [0.35, 0.35, 0.5] as [number, number, number]],
  ])('reproduces a linear ramp at the patch points from %s', (_, spacing) => {
    const volume = rampVolume([80, 80, 40], spacing);
    const centre: Vec3 = { x: 40.3, y: 38.6, z: 20.2 };
    const out = new Float32Array(patchVoxelCount(geometry));
    createPatchSampler(volume, geometry)(centre, out);
    const step = geometry.spacingMm.map((s, a) => s / spacing[a]);
    for (let k = 0; k < 2; k++) for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) {
      const x = centre.x + (i - 1.5) * step[0];
      const y = centre.y + (j - 1.5) * step[1];
      const z = centre.z + (k - 0.5) * step[2];
      expect(out[i + 4 * j + 16 * k]).toBeCloseTo(3 * x + 5 * y + 7 * z, 3);
    }
  });
  it('replicates the edge slice beyond a thin slab', () => {
    const volume = rampVolume([20, 20, 3], [1, 1, 2]);
    const out = new Float32Array(patchVoxelCount(geometry));
    createPatchSampler(volume, { size: [1, 1, 4], spacingMm: [1, 1, 2] })({ x: 10, y: 10, z: 0 }, out);
    // Patch slices at z = -1.5, -0.5, 0.5, 1.5: the first two read slice 0 only (value 80 at this column and row).
    expect([...out.subarray(0, 4)]).toEqual([80, 80, 83.5, 90.5]);
  });
});

const modelPresent = existsSync(defaultModelPath);

describe.skipIf(!modelPresent)(`the committed nodule model (${modelPresent ? 'present' : 'missing: ' + defaultModelPath})`, () => {
  it('carries the manifest the server needs', async () => {
    const { manifest } = await loadPatchClassifier();
    expect(manifest.name).toBe('lungbridge-nodule-cnn');
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.patch).toEqual({ size: [32, 32, 16], spacingMm: [1.25, 1.25, 2] });
    expect(manifest.huWindow).toEqual([-1000, 400]);
    expect(manifest.trainingData).toMatch(/LIDC-IDRI-0003/);
    expect(manifest.secondStage, 'second-stage weights (models/training/fit-second-stage.py)').toBeDefined();
  });

  it('scores a phantom nodule high and lung vessels low, and detects it as a Detector', async () => {
    const { volume, truth } = generatePhantom({
      seed: 31337, matrix: 256, pixelSpacingMm: 1.4, slices: 64, sliceSpacingMm: 2.5,
      nodules: [{ diameterMm: 9, type: 'solid', shape: 'round', attachment: 'free', zone: 'middle' }],
    });
    const lungs = segmentLungs(volume);
    const classifier = await loadPatchClassifier();
    const { patch } = classifier.manifest;
    const nodule = truth.nodules[0].centreVoxel;
    const vessels = vesselPoints(volume, lungs.mask, nodule, 8);
    expect(vessels).toHaveLength(8);
    const points = [nodule, ...vessels];
    const voxels = patchVoxelCount(patch);
    const patches = new Float32Array(points.length * voxels);
    const samplePatch = createPatchSampler(volume, patch);
    points.forEach((p, n) => samplePatch(p, patches, n * voxels));
    const [noduleProbability, ...vesselProbabilities] = await classifier.classify(patches, points.length);
    expect(noduleProbability).toBeGreaterThan(0.8);
    for (const p of vesselProbabilities) expect(p).toBeLessThan(0.5);

    const detector = createModelDetector(classifier);
    expect(detector.name).toBe(classifier.manifest.name);
    const candidates = await detector.detect(volume, lungs);
    const fromNoduleMm = (c: { centreVoxel: Vec3 }) => voxelDistanceMm(c.centreVoxel, nodule, volume.spacing);
    const best = candidates.reduce((a, b) => (b.probability > a.probability ? b : a));
    expect(fromNoduleMm(best)).toBeLessThan(4.5);
    // Reported (>= 0.5, the pipeline's threshold): the nodule, and nothing away from it.
    expect(best.probability).toBeGreaterThanOrEqual(0.5);
    expect(candidates.filter((c) => c.probability >= 0.5 && fromNoduleMm(c) > 10)).toEqual([]);
  });

  it('segments a 7 mm part-solid nodule on a vessel in a scan where a 30 mm nodule\'s rim takes the network\'s best (phantom set seed 9, scan 9006)', async () => {
    const { volume, truth } = generatePhantom(generatePhantomSet(20, 9)[6]);
    const nodule = truth.nodules.find((n) => n.diameterMm === 7 && n.spec.type === 'part-solid');
    expect(nodule?.spec.attachment).toBe('juxtavascular');
    expect(truth.nodules.some((n) => n.diameterMm === 30)).toBe(true);
    const lungs = segmentLungs(volume);
    const candidates = await createModelDetector(await loadPatchClassifier()).detect(volume, lungs);
    const onNodule = candidates.filter((c) => voxelDistanceMm(c.centreVoxel, nodule!.centreVoxel, volume.spacing) <= 3.5);
    // With 8 slots 10 mm apart it had no candidate at all; its score stays under the reporting point.
    expect(onNodule.length).toBeGreaterThanOrEqual(1);
    expect(onNodule.every((c) => c.segmentation !== undefined)).toBe(true);
  });

  it('gives two scans analysed at once by one detector what it gives them one at a time', async () => {
    const scan = (seed: number, attachment: 'free' | 'juxtavascular') => {
      const { volume } = generatePhantom({
        seed, matrix: 192, pixelSpacingMm: 1.8, slices: 40, sliceSpacingMm: 3,
        nodules: [{ diameterMm: 10, type: 'solid', shape: 'round', attachment, zone: 'middle' }],
      });
      return { volume, lungs: segmentLungs(volume) };
    };
    const scans = [scan(5, 'free'), scan(6, 'juxtavascular')];
    const detector = createModelDetector(await loadPatchClassifier());
    const oneAtATime = [];
    for (const { volume, lungs } of scans) oneAtATime.push(await detector.detect(volume, lungs));
    for (const candidates of oneAtATime) expect(candidates.filter((x) => x.probability >= 0.5).length).toBeGreaterThanOrEqual(1);
    const atOnce = await Promise.all(scans.map(({ volume, lungs }) => detector.detect(volume, lungs)));
    expect(atOnce).toEqual(oneAtATime);
  });
});

/**
 * Bright (> -100 HU) lung voxels far from the nodule whose surroundings (6 mm in-plane, 4 mm
 * through-plane) are all lung: vessels inside the parenchyma, not the pleura or the hilum.
 */
function vesselPoints(volume: Volume, lung: Uint8Array, nodule: Vec3, count: number): Vec3[] {
  const [nx, ny, nz] = volume.dims;
  const [sx, sy, sz] = volume.spacing;
  const ri = Math.ceil(6 / sx);
  const rk = Math.ceil(4 / sz);
  const found: Vec3[] = [];
  for (let k = rk; k < nz - rk; k += 7) {
    for (let j = ri; j < ny - ri; j += 3) {
      for (let i = ri; i < nx - ri; i += 3) {
        const n = i + j * nx + k * nx * ny;
        if (!lung[n] || volume.voxels[n] < -100) continue;
        if (Math.hypot((i - nodule.x) * sx, (j - nodule.y) * sy, (k - nodule.z) * sz) < 25) continue;
        let inside = true;
        for (let dk = -rk; dk <= rk && inside; dk += rk) for (let dj = -ri; dj <= ri && inside; dj += ri) for (let di = -ri; di <= ri; di += ri) {
          if (!lung[n + di + dj * nx + dk * nx * ny]) { inside = false; break; }
        }
        if (inside && found.every((f) => Math.hypot((f.x - i) * sx, (f.y - j) * sy, (f.z - k) * sz) > 30)) found.push({ x: i, y: j, z: k });
        if (found.length === count) return found;
      }
    }
  }
  return found;
}

describe('secondStageScore: the features in the order and scaling of models/training/fit-second-stage.py', () => {
  const zero = {
    intercept: 0, networkLogit: 0, blobScoreLogit: 0, blobness: 0, response: 0, centreHu: 0, logScaleDiameter: 0, subsolidPass: 0, subsolidResponse: 0,
    segmented: 0, logMaskDiameter: 0, roundness: 0, touchesBox: 0, strandsPerSize: 0,
  };
  const proposal: Proposal = {
    pass: 'all-densities', centreVoxel: { x: 0, y: 0, z: 0 }, diameterMm: 6, sigmaMm: 1.7, response: 500, eigenvalues: [-100, -200, -300], blobness: 0.4, centreHu: -400,
  };
  const segmented = { shape: { voxels: 50, volumeMm3: 268, equivalentDiameterMm: 12, roundness: 0.8 }, touchesBox: true, strands: 2 };
  const logit = (p: number) => Math.log(p / (1 - p));
  const z = (weights: Partial<typeof zero>, withMask = true) => logit(secondStageScore({ proposal, networkProbability: 0.9, ...(withMask ? { segmented } : {}) }, { ...zero, ...weights }));

  it.each([
    ['intercept', 1],
    ['networkLogit', logit(0.9)],
    ['blobScoreLogit', logit(proposalScore(proposal))],
    ['blobness', 0.4],
    ['response', (500 - 300) / 200],
    ['centreHu', (-400 + 600) / 200],
    ['logScaleDiameter', Math.log(6)],
    ['segmented', 1],
    ['logMaskDiameter', Math.log(12)],
    ['roundness', 0.8],
    ['touchesBox', 1],
    ['strandsPerSize', (2 * 8) / 12],
  ] as const)('%s enters as %d', (name, value) => {
    expect(z({ [name]: 1 })).toBeCloseTo(value, 6);
  });

  it('leaves the mask features out of a proposal that did not segment', () => {
    expect(z({ segmented: 1, logMaskDiameter: 1, roundness: 1, touchesBox: 1, strandsPerSize: 1 }, false)).toBeCloseTo(0, 9);
  });

  it('adds subsolidPass to proposals of the subsolid pass only', () => {
    expect(z({ subsolidPass: 1 })).toBeCloseTo(0, 9);
    const subsolid = { proposal: { ...proposal, pass: 'subsolid' as const }, networkProbability: 0.5 };
    expect(logit(secondStageScore(subsolid, { ...zero, subsolidPass: 1.5 }))).toBeCloseTo(1.5, 6);
  });

  it('weighs the response of a subsolid-pass proposal with subsolidResponse, scaled as (response - 150) / 50', () => {
    expect(z({ subsolidResponse: 1 })).toBeCloseTo(0, 9);
    const subsolid = { proposal: { ...proposal, pass: 'subsolid' as const, response: 250 }, networkProbability: 0.5 };
    expect(logit(secondStageScore(subsolid, { ...zero, subsolidResponse: 1.5 }))).toBeCloseTo(3, 6);
  });
});

describe('classifiedProposals', () => {
  const at = (x: number, pass: Proposal['pass'], response: number, blobness = 0.5): Proposal => ({
    pass, centreVoxel: { x, y: 0, z: 0 }, diameterMm: 6, sigmaMm: 1.7, response, eigenvalues: [-1, -1, -1], blobness, centreHu: -500,
  });

  it('takes the best of each pass, the subsolid ones after, and none already classified', () => {
    const dense = [at(0, 'all-densities', 200), at(10, 'all-densities', 600), at(20, 'all-densities', 400)];
    const subsolid = [
      at(10.5, 'subsolid', 900), // 1 mm from a dense one already classified
      at(30, 'subsolid', 100, 0.1),
      at(40, 'subsolid', 100, 0.9),
      at(50, 'subsolid', 120, 0.9),
    ];
    const spacing = [2, 1, 1] as const;
    const chosen = classifiedProposals([...dense, ...subsolid], { allDensities: 2, subsolid: 2 }, spacing);
    expect(chosen.map((p) => p.centreVoxel.x)).toEqual([10, 20, 50, 40]);
    expect(classifiedProposals([...dense, ...subsolid], { allDensities: 3, subsolid: 0 }, spacing)).toHaveLength(3);
  });
});

describe('segmentedProposals', () => {
  const at = (x: number): Proposal => ({
    pass: 'all-densities', centreVoxel: { x, y: 0, z: 0 }, diameterMm: 6, sigmaMm: 1.7, response: 300, eigenvalues: [-1, -1, -1], blobness: 0.5, centreHu: -500,
  });

  it('takes the best by the network and by the blob score, then the best of those 10 mm from all chosen', () => {
    // Rim proposals of one large nodule (x 0-8 mm) that the network rates highest, and two nodules apart.
    const proposals = [at(50), at(0), at(2), at(4), at(6), at(8), at(30), at(31)];
    const network = Float32Array.of(0.2, 0.99, 0.99, 0.98, 0.97, 0.96, 0.8, 0.9);
    const counts = { byNetwork: 3, byBlobScore: 1, apart: 2 };
    expect(segmentedProposals(proposals, network, counts, [1, 1, 1])).toEqual([1, 2, 3, 0, 7]);
    expect(segmentedProposals(proposals, network, { ...counts, apart: 0 }, [1, 1, 1])).toEqual([1, 2, 3, 0]);
  });
});
