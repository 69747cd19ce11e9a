import type { NaturalizedDataset } from 'dcmjs';
import { ctSliceDatasets } from '../src/dicom/ct-writer.ts';
import { toPart10 } from '../src/dicom/part10.ts';
import { generatePhantom } from '../src/phantom/generate.ts';
import type { NoduleSpec, Phantom, PhantomOptions } from '../src/phantom/types.ts';

/** Two clearly visible nodules, one per lung: what most integration tests analyse. */
export const twoNodules: readonly NoduleSpec[] = [
  { diameterMm: 14, type: 'solid', shape: 'round', attachment: 'free', laterality: 'right', zone: 'middle' },
  { diameterMm: 10, type: 'solid', shape: 'round', attachment: 'free', laterality: 'left', zone: 'middle' },
];

export interface PhantomStudy {
  readonly phantom: Phantom;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly datasets: NaturalizedDataset[];
  /** Part 10 bytes of each slice, in slice order, after `edit`. */
  readonly instances: Uint8Array[];
}

/**
 * A small synthetic chest CT (real DICOM, known truth) for integration tests: 256 x 256 at
 * 1.4 mm, `slices` at 2.5 mm. `edit` may change or drop slices to make bad input.
 */
export function phantomStudy(options: Partial<PhantomOptions> & { seed: number; edit?: (datasets: NaturalizedDataset[]) => NaturalizedDataset[] }): PhantomStudy {
  const { edit, ...phantomOptions } = options;
  const phantom = generatePhantom({ matrix: 256, pixelSpacingMm: 1.4, slices: 60, sliceSpacingMm: 2.5, nodules: twoNodules, ...phantomOptions });
  const original = ctSliceDatasets(phantom.volume, phantom.identity);
  const datasets = edit ? edit(original) : original;
  return {
    phantom,
    studyInstanceUid: String(original[0].StudyInstanceUID),
    seriesInstanceUid: String(original[0].SeriesInstanceUID),
    datasets,
    instances: datasets.map(toPart10),
  };
}
