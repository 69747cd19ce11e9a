import type { StageTimings } from '../domain/analysis.ts';
import type { Candidate, Finding } from '../domain/finding.ts';
import { boxMaskContains } from '../domain/mask.ts';
import { voxelDistanceMm, voxelToPatient, type Volume } from '../domain/volume.ts';
import { createClassicalDetector } from '../detect/classical-detector.ts';
import { solidTissueHu } from '../imaging/attenuation.ts';
import { equivalentDiameterMm } from '../imaging/sphere.ts';
import { mergeCandidates, type Detector } from './detect.ts';
import { segmentLungs, type LungMask } from './lungs.ts';
import { attenuationEquivalentDiameterMm, measureNodule, type NoduleMeasurement } from './measure.ts';
import { largestHalfSizeMm, segmentAtOwnScale, segmentNodule } from './segment.ts';
import { newUid } from '../dicom/uids.ts';

export type AnalysisStage = 'lungs' | 'detect' | 'segment' | 'measure';

export interface AnalyzeOptions {
  readonly detector?: Detector;
  /** Candidates closer than this are one nodule. */
  readonly mergeDistanceMm?: number;
  /** Candidates below this probability are dropped before segmentation. */
  readonly minProbability?: number;
  readonly onStage?: (stage: AnalysisStage, ms: number) => void;
  /** The tracking UID of finding `index` (1..n); fresh ones by default. */
  readonly trackingUid?: (findingIndex: number) => string;
}

export interface VolumeAnalysis {
  readonly findings: Finding[];
  readonly lungs: { readonly found: boolean; readonly reason?: string; readonly volumeMl: number };
  readonly warnings: string[];
  readonly timings: StageTimings;
  readonly detector: { readonly name: string; readonly version: string };
}

/** Slices thicker than this blur small nodules away (Lung-RADS asks for ≤ 2.5 mm, ≤ 1 mm preferred). */
const thickSliceMm = 3;
/**
 * The score from which a candidate is reported (the trained detector's second stage is fitted to
 * put its reporting point there: models/MODEL_CARD.md). The evaluation analyses below it, for its
 * FROC, but names a candidate it could not outline only from here on.
 */
const reportingPoint = 0.5;
/** Smallest nodule reported: Lung-RADS v2022 does not size-categorise below this mean diameter. */
const minDiameterMm = 3;

/** Lungs → detect → segment → measure on one volume; the service, the CLI and the eval all call this. */
export async function analyzeVolume(volume: Volume, options: AnalyzeOptions = {}): Promise<VolumeAnalysis> {
  const detector = options.detector ?? createClassicalDetector();
  const mergeDistanceMm = options.mergeDistanceMm ?? 10;
  const minProbability = options.minProbability ?? reportingPoint;
  const timings: Record<string, number> = {};
  const time = <T>(stage: AnalysisStage, run: () => T): T => {
    const start = performance.now();
    const result = run();
    const ms = performance.now() - start;
    timings[stage] = ms;
    options.onStage?.(stage, ms);
    return result;
  };
  const warnings: string[] = [];
  const sliceSpacing = volume.spacing[2];
  if (sliceSpacing > thickSliceMm) {
    warnings.push(`Slice spacing ${sliceSpacing.toFixed(2)} mm exceeds ${thickSliceMm} mm: small nodules may be missed and sizes are less exact`);
  }
  const detectorInfo = { name: detector.name, version: detector.version };

  const lungs = time('lungs', () => segmentLungs(volume));
  const lungSummary = { found: lungs.found, ...(lungs.reason ? { reason: lungs.reason } : {}), volumeMl: lungs.volumeMl };
  if (!lungs.found) {
    return { findings: [], lungs: lungSummary, warnings, timings, detector: detectorInfo };
  }
  const detectStart = performance.now();
  const detected = await detector.detect(volume, lungs);
  const candidates = mergeCandidates(detected.filter((c) => c.probability >= minProbability), volume.spacing, mergeDistanceMm);
  timings.detect = performance.now() - detectStart;
  options.onStage?.('detect', timings.detect);

  const outlined = time('segment', () => candidates.map((candidate) => {
    const first = candidate.segmentation ?? segmentNodule(volume, lungs, candidate);
    return { candidate, mask: first && segmentAtOwnScale(volume, lungs, candidate, first) };
  }));
  const measured = time('measure', () => outlined
    .flatMap(({ candidate, mask }) => (mask ? [measureNodule(volume, lungs, mask, candidate.probability)] : []))
    .filter((m) => reportableSize(m) >= minDiameterMm || smallSolidNoduleSize(volume, lungs, m) >= minDiameterMm));
  const findings = rankFindings(dropDuplicates(measured, volume.spacing), options.trackingUid ?? newUid);
  const unreported = outlined.filter(({ candidate, mask }) => !mask && candidate.probability >= reportingPoint && !findings.some((f) => boxMaskContains(f.mask, candidate.centreVoxel)));
  for (const { candidate } of unreported) {
    warnings.push(notOutlinedWarning(volume, candidate));
  }
  return { findings, lungs: lungSummary, warnings, timings: timings as StageTimings, detector: detectorInfo };
}

/**
 * A candidate the detector reports (at the reporting point or above) that no outline could be made
 * of, so that it is neither among the nodules nor in the exam's category: the record, and the
 * report's notes, say where, for a reader to look. Its outline ran past the largest segmentation
 * box (a nodule on a vessel as thick as itself, the chest wall, a mass over 30 mm) or nothing dense
 * enough lay at its centre. On phantom set seed 13 one such candidate was a 12 mm nodule on a vessel
 * (scan 13010, score 0.90), otherwise lost without a word; the others on that set and on the LIDC
 * slabs lay on the rims of 30-33 mm nodules that were reported, inside their masks' boxes, and are
 * not named. The slice is named by its InstanceNumber, the image number a viewer shows (the volume
 * runs along the slice normal, often against the numbers), and its position.
 */
function notOutlinedWarning(volume: Volume, candidate: Candidate): string {
  const at = voxelToPatient(volume, candidate.centreVoxel);
  const k = Math.min(volume.dims[2] - 1, Math.max(0, Math.round(candidate.centreVoxel.z)));
  const sliceZ = volume.source.slicePositions?.[k]?.z ?? at.z;
  const image = volume.source.instanceNumbers ? `image ${volume.source.instanceNumbers[k]} (slice at z ${sliceZ.toFixed(1)} mm)` : `the slice at z ${sliceZ.toFixed(1)} mm`;
  return `A candidate scored ${candidate.probability.toFixed(2)} at (${at.x.toFixed(1)}, ${at.y.toFixed(1)}, ${at.z.toFixed(1)}) mm `
    + `(patient coordinates, LPS), on ${image}, could not be outlined or measured: it is not among the reported nodules `
    + `and the exam's Lung-RADS category leaves it out; review it. Its outline ran on past ${2 * largestHalfSizeMm} mm `
    + '(a nodule on a vessel as thick as itself, the chest wall, a mass) or nothing dense enough lay there';
}

/**
 * The size the minimum is checked against. Until 2026-11-28 the axes ran between edge voxel centres,
 * a pixel short of the extent, so at 1.4 mm pixels a 3-6 mm nodule whose volume is right measured
 * under 3 mm on its axes and was lost; its volume-equivalent diameter is used too when the mask spans
 * more than one slice (a one-slice mask's volume is its area times the slice spacing): a nodule cut
 * off-centre by the slices still measures small on its slice of largest extent. Vessel bits of that size
 * were also kept out by asking for more than two pixels across on the longest slice; that dropped
 * a 6 mm juxtapleural nodule of 4 x 2 pixels on three slices (phantom set seed 1, scan 1013,
 * detector probability 0.99). Without it the trained detector reports one more phantom nodule and
 * one more false positive over 20 scans; the classical one 7 more false positives.
 */
export function reportableSize(m: Pick<NoduleMeasurement, 'meanDiameterMm' | 'volumeMm3' | 'mask'>): number {
  return m.mask.size[2] >= 2 ? Math.max(m.meanDiameterMm, equivalentDiameterMm(m.volumeMm3)) : m.meanDiameterMm;
}

/**
 * A mask under the floor whose peak reads as solid tissue is sized by its attenuation
 * (`attenuationEquivalentDiameterMm`): 4 mm solid nodules masked as 3 voxels on one slice peaked at
 * -120 and -156 HU. The classical detector's single-slice vessel bits under the floor (nine in the
 * scans of phantom sets seeds 9 and 13 looked at) peaked at -334 to -575 HU, and soft tissue is
 * what the attenuation is counted as.
 */
function smallSolidNoduleSize(volume: Volume, lungs: LungMask, m: NoduleMeasurement): number {
  return m.maxHu >= solidTissueHu ? attenuationEquivalentDiameterMm(volume, lungs, m.mask) : 0;
}

/** Two candidates that segmented to the same nodule: keep the more probable. */
function dropDuplicates(measured: NoduleMeasurement[], spacing: readonly [number, number, number]): NoduleMeasurement[] {
  const kept: NoduleMeasurement[] = [];
  for (const m of [...measured].sort((a, b) => b.probability - a.probability)) {
    const same = kept.some((k) => voxelDistanceMm(k.centroidVoxel, m.centroidVoxel, spacing) < Math.max(k.longAxis.lengthMm, m.longAxis.lengthMm) / 2);
    if (!same) kept.push(m);
  }
  return kept;
}

/** Orders by decreasing size (then probability) and numbers 1..n, each with its tracking UID. */
function rankFindings(measured: NoduleMeasurement[], trackingUid: (findingIndex: number) => string): Finding[] {
  return [...measured]
    .sort((a, b) => b.meanDiameterMm - a.meanDiameterMm || b.probability - a.probability)
    .map((m, n) => ({ ...m, index: n + 1, trackingUid: trackingUid(n + 1) }));
}
