/**
 * Every coded concept Lungbridge writes into DICOM, in one place (shared with the tests and readers).
 *
 * Schemes: DCM (PS3.16 Annex D), SCT (SNOMED CT), UCUM, LN (LOINC). Two template-mandated exceptions:
 * RFC5646 for the language (TID 1204 takes its value from CID 5000, which has no DCM/SCT codes) and
 * UMLS C0034375 "Qualitative Evaluations", the fixed concept name of TID 1500 row 12.
 */
import type { NaturalizedDataset } from 'dcmjs';

export type CodingScheme = 'DCM' | 'SCT' | 'UCUM' | 'LN' | 'RFC5646' | 'UMLS';

export interface Code {
  readonly value: string;
  readonly scheme: CodingScheme;
  readonly meaning: string;
}

const code = (value: string, scheme: CodingScheme, meaning: string): Code => Object.freeze({ value, scheme, meaning });

/** The Code Sequence Macro (PS3.3 Table 8.8-1) item for a code. */
export function codeSequenceItem(c: Code): NaturalizedDataset {
  return { CodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning };
}

/** Codes are equal when value and scheme are; meanings are display text. */
export function sameCode(a: { CodeValue?: string; CodingSchemeDesignator?: string } | undefined, b: Code): boolean {
  return a?.CodeValue === b.value && a?.CodingSchemeDesignator === b.scheme;
}

export const codes = {
  // --- TID 1500 document structure ---
  imagingMeasurementReport: code('126000', 'DCM', 'Imaging Measurement Report'),
  languageOfContent: code('121049', 'DCM', 'Language of Content Item and Descendants'),
  englishUs: code('en-US', 'RFC5646', 'English (United States)'),
  observerType: code('121005', 'DCM', 'Observer Type'),
  device: code('121007', 'DCM', 'Device'),
  deviceObserverUid: code('121012', 'DCM', 'Device Observer UID'),
  deviceObserverName: code('121013', 'DCM', 'Device Observer Name'),
  deviceObserverManufacturer: code('121014', 'DCM', 'Device Observer Manufacturer'),
  deviceObserverModelName: code('121015', 'DCM', 'Device Observer Model Name'),
  procedureReported: code('121058', 'DCM', 'Procedure reported'),
  /**
   * CID 100 "Quantitative Diagnostic Imaging Procedures" holds no chest-CT code in the editions that
   * dciodvfy and pixelmed carry; this is its only CT entry (dciodvfy rejects SCT 77477000 "CT").
   */
  ctUnspecifiedBodyRegion: code('25045-6', 'LN', 'CT unspecified body region'),
  imageLibrary: code('111028', 'DCM', 'Image Library'),
  imageLibraryGroup: code('126200', 'DCM', 'Image Library Group'),
  imagingMeasurements: code('126010', 'DCM', 'Imaging Measurements'),
  qualitativeEvaluations: code('C0034375', 'UMLS', 'Qualitative Evaluations'),

  // --- TID 1411 measurement group ---
  measurementGroup: code('125007', 'DCM', 'Measurement Group'),
  trackingIdentifier: code('112039', 'DCM', 'Tracking Identifier'),
  trackingUniqueIdentifier: code('112040', 'DCM', 'Tracking Unique Identifier'),
  finding: code('121071', 'DCM', 'Finding'),
  /** TID 1411 row 7. (121214 "Referenced Segmentation Frame" is TID 1410's per-frame reference.) */
  referencedSegment: code('121191', 'DCM', 'Referenced Segment'),
  sourceSeriesForSegmentation: code('121232', 'DCM', 'Source series for segmentation'),
  findingSite: code('363698007', 'SCT', 'Finding Site'),
  laterality: code('272741003', 'SCT', 'Laterality'),
  topographicalModifier: code('106233006', 'SCT', 'Topographical modifier'),
  derivation: code('121401', 'DCM', 'Derivation'),
  algorithmName: code('111001', 'DCM', 'Algorithm Name'),
  algorithmVersion: code('111003', 'DCM', 'Algorithm Version'),
  /** SNOMED CT attribute; carries the nodule's attenuation type as text (see noduleTypeText). */
  associatedMorphology: code('116676008', 'SCT', 'Associated morphology'),
  /** Used for BI-RADS in TID 4003; here for the Lung-RADS category, written as text (no codes exist). */
  assessmentCategory: code('111005', 'DCM', 'Assessment Category'),
  /** Free-text statement; used for "not analysed" and its reason. */
  comment: code('121106', 'DCM', 'Comment'),

  // --- measurements (code meanings exactly as Cornerstone3D matches them: "Long Axis", "Short Axis") ---
  longAxis: code('103339001', 'SCT', 'Long Axis'),
  shortAxis: code('103340004', 'SCT', 'Short Axis'),
  volume: code('118565006', 'SCT', 'Volume'),
  attenuationCoefficient: code('112031', 'DCM', 'Attenuation Coefficient'),
  mean: code('373098007', 'SCT', 'Mean'),
  /** As in TID 4108 (Chest CAD): the detector's confidence, in percent. */
  certaintyOfFinding: code('111012', 'DCM', 'Certainty of Finding'),
  /** Brock (PanCan) malignancy probability, in percent; the model is named by an Algorithm Name child. */
  probabilityOfCancer: code('111047', 'DCM', 'Probability of cancer'),

  // --- values ---
  nodule: code('27925004', 'SCT', 'Nodule'),
  morphologicallyAbnormalStructure: code('49755003', 'SCT', 'Morphologically Abnormal Structure'),
  lung: code('39607008', 'SCT', 'Lung'),
  right: code('24028007', 'SCT', 'Right'),
  left: code('7771000', 'SCT', 'Left'),
  upper: code('261183002', 'SCT', 'Upper'),
  middle: code('255562008', 'SCT', 'Middle'),
  lower: code('261122009', 'SCT', 'Lower'),

  // --- SEG ---
  sourceImageForProcessing: code('121322', 'DCM', 'Source image for image processing operation'),
  segmentation: code('113076', 'DCM', 'Segmentation'),
} as const;

export const units = {
  millimetre: code('mm', 'UCUM', 'millimeter'),
  cubicMillimetre: code('mm3', 'UCUM', 'cubic millimeter'),
  hounsfieldUnit: code("[hnsf'U]", 'UCUM', 'Hounsfield unit'),
  percent: code('%', 'UCUM', 'percent'),
} as const;
