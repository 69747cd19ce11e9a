import path from 'node:path';
import type { Volume } from '../domain/volume.ts';
import { readLidcCase } from '../lidc/read-case.ts';
import { generatePhantom } from '../phantom/generate.ts';
import type { PhantomOptions } from '../phantom/types.ts';
import { lidcReference, phantomReference, type ScanReference } from './references.ts';

/**
 * A scan to evaluate, as plain data so it can be sent to a worker process and loaded there only when
 * its turn comes (a 320-slice volume is 168 MB).
 */
export type ScanSpec =
  | { readonly source: 'lidc'; readonly scanId: string; readonly caseDir: string }
  | { readonly source: 'phantom'; readonly scanId: string; readonly options: PhantomOptions };

export interface LoadedScan {
  readonly volume: Volume;
  readonly reference: ScanReference;
  readonly warnings: readonly string[];
}

export type ScanLoader = (spec: ScanSpec) => Promise<LoadedScan>;

export function lidcScanSpec(caseDir: string): ScanSpec {
  return { source: 'lidc', scanId: path.basename(path.resolve(caseDir)), caseDir };
}

export function phantomScanSpec(options: PhantomOptions): ScanSpec {
  return { source: 'phantom', scanId: `phantom-${options.seed}`, options };
}

export const loadScan: ScanLoader = async (spec) => {
  if (spec.source === 'lidc') {
    const lidcCase = await readLidcCase(spec.caseDir);
    return { volume: lidcCase.volume, reference: lidcReference(lidcCase), warnings: lidcCase.warnings };
  }
  const { volume, truth } = generatePhantom(spec.options);
  return { volume, reference: phantomReference(truth, spec.scanId), warnings: [] };
};
