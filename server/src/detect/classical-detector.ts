import type { Candidate } from '../domain/finding.ts';
import type { Volume } from '../domain/volume.ts';
import type { Detector } from '../pipeline/detect.ts';
import type { LungMask } from '../pipeline/lungs.ts';
import { segmentNoduleOnce } from '../pipeline/segment.ts';
import { proposeCandidates, type Proposal } from './proposals.ts';
import { maskShape, type MaskShape } from './shape.ts';

export interface ClassicalDetectorOptions {
  /** How many of the best-looking proposals are segmented and scored (bounds the run time). */
  readonly maxScored?: number;
}

const logistic = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * First-pass score from the blob filter alone: blobness (Hessian eigenvalue ratio) and the
 * normalised LoG response. Only used to rank proposals for the costlier second pass.
 */
export function proposalScore(p: Proposal): number {
  return logistic(8 * (p.blobness - 0.35) + (p.response - 350) / 80);
}

/**
 * Final probability: the proposal's blob features plus the roundness of its segmentation
 * (nodules segment to compact balls; vessels, bifurcations and hilar structures to elongated or
 * branching shapes, which also run out of the box sized from the blob scale). Weights hand-tuned on the LIDC slabs and the
 * synthetic phantom set; a trained model replaces this through the Detector interface.
 */
export function candidateScore(p: Proposal, shape: MaskShape, reachesBoxEdge: boolean): number {
  const z = -3
    - (reachesBoxEdge ? 2 : 0)
    + 4 * p.blobness
    + 12 * (shape.roundness - 0.6)
    + (p.response - 300) / 200;
  return logistic(z);
}

export function createClassicalDetector(options: ClassicalDetectorOptions = {}): Detector {
  const maxScored = options.maxScored ?? 40;
  return {
    name: 'lungbridge-classical-blob',
    version: '0.1.0',
    async detect(volume: Volume, lungs: LungMask): Promise<Candidate[]> {
      const ranked = proposeCandidates(volume, lungs)
        .map((p) => ({ p, score: proposalScore(p) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, maxScored);
      const candidates: Candidate[] = [];
      for (const { p } of ranked) {
        const segmented = segmentNoduleOnce(volume, lungs, p);
        if (!segmented) continue;
        const probability = candidateScore(p, maskShape(segmented.mask, volume.spacing), segmented.touchesBox);
        candidates.push({ centreVoxel: p.centreVoxel, diameterMm: p.diameterMm, probability });
      }
      return candidates;
    },
  };
}
