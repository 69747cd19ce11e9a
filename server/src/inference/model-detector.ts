import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { Candidate } from '../domain/finding.ts';
import { voxelDistanceMm, type Volume } from '../domain/volume.ts';
import { logistic, proposalScore, shapeFeatures, type SegmentedProposal } from '../detect/classical-detector.ts';
import { maskShape } from '../detect/shape.ts';
import { blobScaleGroupCost, proposeCandidatesWith, type Proposal } from '../detect/proposals.ts';
import type { Detector } from '../pipeline/detect.ts';
import type { LungMask } from '../pipeline/lungs.ts';
import { finalSegmentation, placeSegmentation, segmentationCrop, type NoduleSegmentation, type SegmentedCandidate } from '../pipeline/segment.ts';
import { createThreadPool, defaultAnalysisThreads } from '../threads/thread-pool.ts';
import { parseModelManifest, type ModelManifest, type SecondStageWeights } from './model-manifest.ts';
import { readOnnxMetadata } from './onnx-metadata.ts';
import { createPatchSamplerWith, patchVoxelCount } from './patch.ts';

/** The committed nodule model (models/MODEL_CARD.md). */
export const defaultModelPath = fileURLToPath(new URL('../../../models/lungbridge-nodule-cnn.onnx', import.meta.url));

/** A loaded patch classifier: one onnxruntime session, created once and reused for every scan. */
export interface PatchClassifier {
  readonly manifest: ModelManifest;
  /** Probabilities of `count` patches laid out back to back in `patches` (HU, [n][z][y][x]). */
  classify(patches: Float32Array, count: number): Promise<Float32Array>;
}

export interface SessionOptions {
  /** Intra-op threads; default the host's cores (2 in the reference deployment). */
  readonly threads?: number;
}

export async function loadPatchClassifier(modelPath: string = defaultModelPath, options: SessionOptions = {}): Promise<PatchClassifier> {
  const bytes = new Uint8Array(await readFile(modelPath));
  const manifest = parseModelManifest(readOnnxMetadata(bytes));
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: options.threads ?? defaultAnalysisThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  const [sx, sy, sz] = manifest.patch.size;
  return {
    manifest,
    async classify(patches, count) {
      const tensor = new ort.Tensor('float32', patches.subarray(0, count * sx * sy * sz), [count, 1, sz, sy, sx]);
      const result = await session.run({ [input]: tensor });
      return Float32Array.from(result[output].data as Float32Array);
    },
  };
}

/** Proposals the network classifies per scan unless told otherwise (ModelDetectorOptions). */
export const defaultClassifiedProposals = { allDensities: 1024, subsolid: 256 } as const;

export interface ModelDetectorOptions {
  /**
   * Proposals of the pass over every density classified per scan, best first by the blob score (of
   * ~4000 in a phantom chest). `defaultClassifiedProposals` (1024): subsolid nodules beside a vessel or the pleura rank low by
   * the blob score (a 6 mm juxtapleural ground-glass one 791st), and patches cut from one resampled
   * grid (`createPatchSampler`) cost 0.3 ms, the network 0.5 ms: about 1 s for 1024 on a full
   * 512 x 512 x 320 scan. The network was trained with negatives down to this rank (since 1.3.0).
   */
  readonly maxCandidates?: number;
  /**
   * Proposals of the subsolid pass classified besides (`classifiedProposals`): 256 by default,
   * where 28 of 35 ground-glass and part-solid nodules of 5-10 mm (34 on vessels) that the other
   * pass left out of its best 1024 had one (training phantoms 7301-7330).
   */
  readonly maxSubsolidCandidates?: number;
  /** Patches per session run: bounds the patch buffer (64 x 32 x 32 x 16 floats = 4 MB). */
  readonly batchSize?: number;
  /**
   * Proposals segmented for the second stage: the best 20 by the network and the best 8 by the blob
   * score. With model 1.3.0 every phantom of set seed 1 and every finding at 0.5 on the LIDC slabs
   * came out the same as with 30 + 10 and 40 + 20 (only LIDC candidates under 0.3 went); the
   * segmentations are the largest part of the detect stage after the proposals and the network.
   */
  readonly segmentedByNetwork?: number;
  readonly segmentedByBlobScore?: number;
  /**
   * Proposals segmented besides those: the best by the network that lie `apartMm` or more from
   * every proposal segmented before them. A large nodule's rim gives a score of proposals the network
   * rates 0.99+, and in scans with two such nodules the best 20 were all on them, leaving a 7 mm
   * part-solid nodule (network 0.9) out (phantom set seed 1, scan 1006). 16 by default: with 8 (until
   * 2026-11-27), a 7 mm part-solid nodule on a vessel beside a 30 mm nodule (network 0.48; phantom set
   * seed 9, scan 9006) was left out; with 16 it is found (seed 9 at 1 FP/scan 0.90 -> 0.93), and
   * seeds 1, 5, 13 and 21 and the LIDC slabs gave the same figures.
   */
  readonly segmentedApart?: number;
  /**
   * Threads for the blob filter's scales, the patch grid and the second stage's segmentations
   * (default the host's cores): on 2 cores they take about half the time they take on one.
   */
  readonly threads?: number;
}

/** What the second stage knows of a proposal: its blob features, the network's probability and its segmentation. */
export interface ScoredProposal {
  readonly proposal: Proposal;
  readonly networkProbability: number;
  /** Absent when nothing above the threshold lies at the proposal's centre. */
  readonly segmented?: SegmentedProposal & NoduleSegmentation;
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

/**
 * Final probability: logistic regression on the network's logit, the blob features and the
 * segmentation (size, roundness, box overflow, strands per size), the classical detector's
 * evidence. The network alone calls the edges of large nodules and some vessel crossings nodules
 * (probability 0.99+), the shape features alone miss the faint ones; together they rank better
 * than either at every false-positive rate (models/MODEL_CARD.md). The weights travel in the ONNX
 * file's metadata (`second_stage`), fitted by models/training/fit-second-stage.py.
 */
export function secondStageScore({ proposal: p, networkProbability, segmented }: Omit<ScoredProposal, 'segmented'> & { readonly segmented?: SegmentedProposal }, w: SecondStageWeights): number {
  let z = w.intercept
    + w.networkLogit * logit(networkProbability)
    + w.blobScoreLogit * logit(proposalScore(p))
    + w.blobness * p.blobness
    + w.response * ((p.response - 300) / 200)
    + w.centreHu * ((p.centreHu + 600) / 200)
    + w.logScaleDiameter * Math.log(p.diameterMm)
    + (p.pass === 'subsolid' ? w.subsolidPass + w.subsolidResponse * ((p.response - 150) / 50) : 0);
  if (segmented) {
    const shape = shapeFeatures(segmented);
    z += w.segmented
      + w.logMaskDiameter * shape.logDiameter
      + w.roundness * shape.roundness
      + w.touchesBox * shape.touchesBox
      + w.strandsPerSize * shape.strandsPerSize;
  }
  return logistic(z);
}

/**
 * The first stage of the trained detector, up to the second stage's inputs: blob proposals (the
 * classical detector's first stage) give the candidate centres and sizes; the network classifies a
 * patch around each; the most likely, by the network and by the blob score, are segmented. Patches
 * are resampled batch by batch into one reused buffer, so memory stays bounded whatever the scan's size.
 * The blob filter's scales, the patch grid and the segmentations are shared out over `options.threads` threads.
 */
export function createProposalScorer(classifier: PatchClassifier, options: ModelDetectorOptions = {}): (volume: Volume, lungs: LungMask) => Promise<ScoredProposal[]> {
  const counts = {
    allDensities: options.maxCandidates ?? defaultClassifiedProposals.allDensities,
    subsolid: options.maxSubsolidCandidates ?? defaultClassifiedProposals.subsolid,
  };
  const batchSize = options.batchSize ?? 64;
  const segmentedCounts = {
    byNetwork: options.segmentedByNetwork ?? 20,
    byBlobScore: options.segmentedByBlobScore ?? 8,
    apart: options.segmentedApart ?? 16,
  };
  const threads = createThreadPool(options.threads ?? defaultAnalysisThreads);
  const { manifest } = classifier;
  const voxels = patchVoxelCount(manifest.patch);
  return async (volume, lungs) => {
    // One buffer per scan: analyses running at once (LUNGBRIDGE_WORKERS > 1) share this detector,
    // and each waits on onnxruntime and the helper threads with its patches in its buffer.
    const buffer = new Float32Array(batchSize * voxels);
    const proposed = await proposeCandidatesWith({
      slabs: (slabs) => threads.map('lungBoxSlab', slabs, (slab) => slab.box.size[2], (slab) => slab.source.voxels === volume.voxels),
      groups: (groups) => threads.map('blobScales', groups, blobScaleGroupCost),
    }, threads.helpers + 1, volume, lungs, { subsolidPass: counts.subsolid > 0 });
    // The pass over every density first, ranked by the blob score: the first `byBlobScore` are its best.
    const proposals = classifiedProposals(proposed, counts, volume.spacing);
    const samplePatch = await createPatchSamplerWith(
      (slabs) => threads.map('gridSlab', slabs, (slab) => patchVoxelCount(slab.geometry), (slab) => slab.source === volume),
      threads.helpers + 1, volume, manifest.patch, lungs.bounds,
    );
    const network = new Float32Array(proposals.length);
    for (let start = 0; start < proposals.length; start += batchSize) {
      const batch = proposals.slice(start, start + batchSize);
      batch.forEach((p, n) => samplePatch(p.centreVoxel, buffer, n * voxels));
      network.set((await classifier.classify(buffer, batch.length)).subarray(0, batch.length), start);
    }
    const chosen = segmentedProposals(proposals, network, segmentedCounts, volume.spacing);
    const crops = chosen.map((n) => segmentationCrop(volume, lungs, candidateAt(proposals[n])));
    const boxes = crops.map((crop) => crop.box);
    const segmented = await threads.map('segmentCrop', crops, (crop) => crop.hu.length);
    return chosen.map((n, c) => {
      const once = placeSegmentation(boxes[c], segmented[c], volume.dims);
      return {
        proposal: proposals[n],
        networkProbability: network[n],
        ...(once ? { segmented: { ...once, shape: maskShape(once.mask, volume.spacing) } } : {}),
      };
    });
  };
}

/**
 * The trained detector: the network and the segmentation of the best proposals, combined by
 * `secondStageScore`; a model without second-stage weights gives the network's probability.
 */
export function createModelDetector(classifier: PatchClassifier, options: ModelDetectorOptions = {}): Detector {
  const scoreProposals = createProposalScorer(classifier, options);
  const weights = classifier.manifest.secondStage;
  return {
    name: classifier.manifest.name,
    version: classifier.manifest.version,
    async detect(volume: Volume, lungs: LungMask): Promise<Candidate[]> {
      return (await scoreProposals(volume, lungs)).map((scored) => {
        const segmentation = finalSegmentation(scored.segmented);
        return {
          ...candidateAt(scored.proposal),
          probability: weights ? secondStageScore(scored, weights) : scored.networkProbability,
          ...(segmentation ? { segmentation } : {}),
        };
      });
    },
  };
}

/** What the segmentation takes of a proposal. */
const candidateAt = (p: Proposal): SegmentedCandidate => ({
  centreVoxel: p.centreVoxel,
  diameterMm: p.diameterMm,
  ...(p.pass === 'subsolid' ? { subsolid: true } : {}),
});

/** Segmented besides the best by the network and by the blob score: the best this far from all of them (`segmentedApart`). */
const apartMm = 10;

/**
 * Indices of the proposals segmented for the second stage: the best `byNetwork` by the network,
 * the first `byBlobScore` (classified proposals come best blob score first), then the best by the
 * network of those at least `apartMm` from every one chosen before, up to `apart` of them.
 */
export function segmentedProposals(proposals: readonly Proposal[], network: Float32Array, counts: { readonly byNetwork: number; readonly byBlobScore: number; readonly apart: number },
  spacing: readonly [number, number, number]): number[] {
  const byProbability = [...proposals.keys()].sort((a, b) => network[b] - network[a]);
  const bestByBlobScore = Array.from({ length: Math.min(counts.byBlobScore, proposals.length) }, (_, n) => n);
  const chosen = [...new Set([...byProbability.slice(0, counts.byNetwork), ...bestByBlobScore])];
  const enough = chosen.length + counts.apart;
  for (const n of byProbability.slice(counts.byNetwork)) {
    if (chosen.length >= enough) break;
    if (chosen.every((c) => voxelDistanceMm(proposals[c].centreVoxel, proposals[n].centreVoxel, spacing) >= apartMm)) chosen.push(n);
  }
  return chosen;
}

/** Within this of a proposal already classified, a subsolid one adds nothing. */
const sameCandidateMm = 1.5;

/**
 * The proposals the network classifies: the best `allDensities` of the pass over every density by
 * the blob score, then the best `subsolid` of the subsolid pass by response times blobness (a
 * faint sphere over a strong tube) that are not already among them.
 */
export function classifiedProposals(proposals: readonly Proposal[], counts: { readonly allDensities: number; readonly subsolid: number }, spacing: readonly [number, number, number]): Proposal[] {
  const chosen = proposals.filter((p) => p.pass === 'all-densities')
    .map((p) => ({ p, score: proposalScore(p) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, counts.allDensities)
    .map(({ p }) => p);
  const subsolid = proposals.filter((p) => p.pass === 'subsolid')
    .map((p) => ({ p, score: p.response * (0.2 + p.blobness) }))
    .sort((a, b) => b.score - a.score);
  const fromDensePass = chosen.length;
  for (const { p } of subsolid) {
    if (chosen.length - fromDensePass >= counts.subsolid) break;
    if (!chosen.some((q) => voxelDistanceMm(p.centreVoxel, q.centreVoxel, spacing) < sameCandidateMm)) chosen.push(p);
  }
  return chosen;
}
