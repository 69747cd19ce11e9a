import type { BoxMask } from '../domain/mask.ts';
import type { Laterality, LungZone, NoduleType } from '../domain/finding.ts';
import type { Vec3, Volume } from '../domain/volume.ts';
import type { CtSeriesIdentity } from '../dicom/ct-writer.ts';

export type NoduleShapeKind = 'round' | 'lobulated' | 'spiculated';
export type NoduleAttachment = 'free' | 'juxtavascular' | 'juxtapleural';
export type PhantomRegion = 'chest' | 'abdomen';

/** What nodule to put in a phantom; where exactly is chosen from the seed. */
export interface NoduleSpec {
  /** Nominal diameter, 3..30 mm: the sphere (round), the envelope of the lobes (lobulated) or the core without spicules (spiculated). */
  readonly diameterMm: number;
  readonly type: NoduleType;
  readonly shape: NoduleShapeKind;
  readonly attachment: NoduleAttachment;
  readonly laterality?: Laterality;
  /** Third of that lung's craniocaudal extent the centre lies in. */
  readonly zone?: LungZone;
  /** Diameter of the solid core of a part-solid nodule; default half the nodule's diameter. */
  readonly solidComponentMm?: number;
}

export interface PhantomOptions {
  readonly seed: number;
  /** Default 320. */
  readonly slices?: number;
  /** Default: the slices cover 320 mm (the whole thorax; 1 mm at 320 slices). */
  readonly sliceSpacingMm?: number;
  /** Nominal SliceThickness; it sets the slice profile (a Gaussian of this FWHM). Default: the spacing. */
  readonly sliceThicknessMm?: number;
  /** Columns = rows. Default 512. */
  readonly matrix?: number;
  /** Default: a 360 mm field of view (0.70 mm at 512). */
  readonly pixelSpacingMm?: number;
  readonly nodules?: readonly NoduleSpec[];
  /** 'abdomen' has no lungs (for "no lungs found"); default 'chest'. */
  readonly region?: PhantomRegion;
  /** Standard deviation of the image noise in HU; default 20. */
  readonly noiseSigmaHu?: number;
  /** Scanner resolution: Gaussian sigma in-plane in mm; default 0.7. */
  readonly blurSigmaMm?: number;
  readonly identity?: Partial<CtSeriesIdentity>;
  /**
   * A nodule with no room in its lung zone goes to the nearest zone (then the other lung) that has
   * room, and truth.json says where it went; default false: placement throws, naming the nodule.
   */
  readonly relocateUnplaceable?: boolean;
}

/** A nodule as rendered, with everything an evaluation compares a finding against. */
export interface NoduleTruth {
  /** 1-based, in the order of the specs. */
  readonly index: number;
  /** The spec with laterality and zone filled in. */
  readonly spec: NoduleSpec & { readonly laterality: Laterality; readonly zone: LungZone };
  readonly centreMm: Vec3;
  readonly centreVoxel: Vec3;
  /** The nominal diameter (spec.diameterMm). */
  readonly diameterMm: number;
  /** Rendered volume: the nodule's occupancy of each voxel (supersampled) summed, in mm³. */
  readonly volumeMm3: number;
  /** Diameter of the sphere of that volume. */
  readonly volumeEquivalentDiameterMm: number;
  /** Attenuation painted into the nodule (the halo for part-solid ones), before blur and noise. */
  readonly huNominal: number;
  readonly solidComponentMm?: number;
  readonly laterality: Laterality;
  readonly zone: LungZone;
  readonly attachment: NoduleAttachment;
  /** Voxels at least half occupied by the nodule, before blur. */
  readonly mask: BoxMask;
}

export interface PhantomTruth {
  readonly seed: number;
  readonly region: PhantomRegion;
  readonly lungsPresent: boolean;
  readonly noiseSigmaHu: number;
  readonly nodules: readonly NoduleTruth[];
}

export interface Phantom {
  readonly volume: Volume;
  readonly truth: PhantomTruth;
  readonly identity: CtSeriesIdentity;
}
