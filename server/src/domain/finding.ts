import type { BoxMask } from './mask.ts';
import type { Vec3 } from './volume.ts';

export type NoduleType = 'solid' | 'part-solid' | 'ground-glass';
export type Laterality = 'left' | 'right';
export type LungZone = 'upper' | 'middle' | 'lower';

/** A detector's raw output before segmentation. */
export interface Candidate {
  /** Voxel coordinates (fractional) of the candidate centre. */
  readonly centreVoxel: Vec3;
  /** Estimated diameter in mm (from the detecting scale), used to size the segmentation. */
  readonly diameterMm: number;
  /** 0..1 */
  readonly probability: number;
  /**
   * The nodule's mask, where the detector already segmented it at this centre and diameter and the
   * mask stayed inside segmentNodule's first box: the segment stage takes it as it is.
   */
  readonly segmentation?: BoxMask;
  /**
   * Proposed by the subsolid pass (a blob once solid tissue is taken for lung): segmentation also
   * outlines the ground glass alone, which leaves out the vessels such a nodule often lies on.
   */
  readonly subsolid?: boolean;
}

/**
 * How a finding's axes are measured (`axialAxes`, pipeline/measure.ts: across the mask's outline),
 * stored with every finding: a comparison with a prior whose findings were measured another way
 * says so (priors/compare-with-prior.ts). Findings stored before 2026-11-28 carry none: their axes
 * ran between pixel centres.
 */
export const axisMethod = 'outline';

/** A line on one axial slice, in voxel coordinates (x = column, y = row, z = slice index). */
export interface AxisLine {
  readonly start: Vec3;
  readonly end: Vec3;
  readonly lengthMm: number;
}

/** One measured nodule: what the pipeline reports and what SR, SEG, Lung-RADS and the API use. */
export interface Finding {
  /** 1-based, ordered by decreasing size; the SEG segment number and the SR group order. */
  readonly index: number;
  /** Stable for the nodule within an analysis: the TID 1500 Tracking Unique Identifier. */
  readonly trackingUid: string;
  readonly probability: number;
  readonly centroidVoxel: Vec3;
  readonly centroidMm: Vec3;
  /** Long axis on the axial slice of largest extent (Lung-RADS), then the longest perpendicular. */
  readonly longAxis: AxisLine;
  readonly shortAxis: AxisLine;
  /** (long + short) / 2 rounded to 0.1 mm, as Lung-RADS v2022 defines it. */
  readonly meanDiameterMm: number;
  readonly volumeMm3: number;
  readonly meanHu: number;
  readonly maxHu: number;
  readonly type: NoduleType;
  /** Mean diameter of the solid component (part-solid nodules only). */
  readonly solidComponentMm?: number;
  readonly laterality: Laterality;
  readonly zone: LungZone;
  readonly juxtapleural: boolean;
  /** Estimated spiculation (0..1) where the segmentation can tell; feeds Brock. */
  readonly spiculation?: number;
  readonly mask: BoxMask;
}
