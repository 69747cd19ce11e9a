import type { Candidate } from '../domain/finding.ts';
import type { Volume } from '../domain/volume.ts';
import type { Detector } from '../pipeline/detect.ts';
import type { LungMask } from '../pipeline/lungs.ts';
import { finalSegmentation, segmentNoduleOnce } from '../pipeline/segment.ts';
import { proposeCandidates, type Proposal } from './proposals.ts';
import { maskShape, type MaskShape } from './shape.ts';

export interface ClassicalDetectorOptions {
  /** How many of the best-looking proposals are segmented and scored (bounds the run time). */
  readonly maxScored?: number;
}

export const logistic = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * First-pass score from the blob filter alone: blobness (Hessian eigenvalue ratio) and the
 * normalised LoG response. Only used to rank proposals for the costlier second pass.
 */
export function proposalScore(p: Proposal): number {
  return logistic(8 * (p.blobness - 0.35) + (p.response - 350) / 80);
}

/** What the second pass knows about a proposal once it is segmented. */
export interface SegmentedProposal {
  readonly shape: MaskShape;
  /** The mask reached the box sized from the blob scale: a larger, often elongated, structure. */
  readonly touchesBox: boolean;
  /** Strands leaving the object (segment.ts): a vessel tip has one, a free nodule none. */
  readonly strands: number;
}

/**
 * Final probability: logistic regression on the blob features and the segmentation (roundness,
 * size, box overflow, strands leaving it). Vessel tips and branchings look like small nodules to the
 * blob filter but leave by one or more strands; nodules segment to compact balls. Weights fitted on
 * the candidates of phantom set seed 2 (scans 0-9) and the two LIDC slabs, positives weighted up;
 * checked on phantom set seed 1. A trained model replaces this through the Detector interface.
 */
export function candidateScore(p: Proposal, segmented: SegmentedProposal): number {
  const shape = shapeFeatures(segmented);
  const z = -4.44
    + 1.72 * p.blobness
    - 0.79 * ((p.response - 300) / 200)
    + 1.81 * shape.roundness
    - 1.04 * shape.touchesBox
    + 1.65 * shape.logDiameter
    - 1.49 * shape.strandsPerSize;
  return logistic(z);
}

/** The segmentation's evidence as scorers weigh it (this detector and the trained one's second stage). */
export function shapeFeatures(segmented: SegmentedProposal): { logDiameter: number; roundness: number; touchesBox: number; strandsPerSize: number } {
  const diameterMm = segmented.shape.equivalentDiameterMm;
  return {
    logDiameter: Math.log(Math.min(30, Math.max(1, diameterMm))),
    roundness: segmented.shape.roundness,
    touchesBox: segmented.touchesBox ? 1 : 0,
    // Large nodules touch more vessels: strands count against small objects (vessel tips, branchings).
    strandsPerSize: (Math.min(3, segmented.strands) * 8) / Math.max(8, diameterMm),
  };
}

/** Share of the scored proposals kept for faint (ground-glass) blobs. */
const faintShare = 0.25;
/** A proposal whose smoothed centre is below this is faint: ground glass, or a small solid nodule blurred. */
const faintCentreHu = -550;

/**
 * The proposals worth segmenting: the best by blob score, and a quarter of the places for the best
 * faint ones, whose low contrast (a third of a solid nodule's) ranks them below vessels otherwise
 * (places the faint ones do not take go to the next best).
 */
export function pickProposals(proposals: readonly Proposal[], count: number): Proposal[] {
  const ranked = [...proposals].sort((a, b) => proposalScore(b) - proposalScore(a));
  const picked = ranked.slice(0, Math.round(count * (1 - faintShare)));
  const rest = ranked.slice(picked.length);
  const faint = rest.filter((p) => p.centreHu < faintCentreHu).slice(0, count - picked.length);
  const others = rest.filter((p) => !faint.includes(p)).slice(0, count - picked.length - faint.length);
  return [...picked, ...faint, ...others];
}

export function createClassicalDetector(options: ClassicalDetectorOptions = {}): Detector {
  const maxScored = options.maxScored ?? 60;
  return {
    name: 'lungbridge-classical-blob',
    version: '0.2.0',
    async detect(volume: Volume, lungs: LungMask): Promise<Candidate[]> {
      const candidates: Candidate[] = [];
      for (const p of pickProposals(proposeCandidates(volume, lungs), maxScored)) {
        const segmented = segmentNoduleOnce(volume, lungs, p);
        if (!segmented) continue;
        const probability = candidateScore(p, { ...segmented, shape: maskShape(segmented.mask, volume.spacing) });
        const segmentation = finalSegmentation(segmented);
        candidates.push({ centreVoxel: p.centreVoxel, diameterMm: p.diameterMm, probability, ...(segmentation ? { segmentation } : {}) });
      }
      return candidates;
    },
  };
}
