import type { BoxMask } from '../domain/mask.ts';
import type { Volume } from '../domain/volume.ts';
import type { NoduleTruth, PhantomTruth } from './types.ts';

/** A BoxMask with its data as runs of ones: [start, length, start, length, ...] over the box-local index. */
export interface RleBoxMask {
  readonly offset: readonly [number, number, number];
  readonly size: readonly [number, number, number];
  readonly runs: readonly number[];
}

export function encodeBoxMask(mask: BoxMask): RleBoxMask {
  const runs: number[] = [];
  let start = -1;
  for (let i = 0; i <= mask.data.length; i++) {
    const on = i < mask.data.length && mask.data[i] === 1;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      runs.push(start, i - start);
      start = -1;
    }
  }
  return { offset: mask.offset, size: mask.size, runs };
}

export function decodeBoxMask(rle: RleBoxMask): BoxMask {
  const data = new Uint8Array(rle.size[0] * rle.size[1] * rle.size[2]);
  for (let r = 0; r < rle.runs.length; r += 2) data.fill(1, rle.runs[r], rle.runs[r] + rle.runs[r + 1]);
  return { offset: rle.offset, size: rle.size, data };
}

export type NoduleTruthJson = Omit<NoduleTruth, 'mask'> & { readonly mask: RleBoxMask };

/** What `truth.json` holds: the truth, the scan it belongs to, and masks as run-length boxes. */
export interface PhantomTruthJson extends Omit<PhantomTruth, 'nodules'> {
  readonly series: {
    readonly studyInstanceUid: string;
    readonly seriesInstanceUid: string;
    readonly frameOfReferenceUid: string;
    readonly dims: readonly [number, number, number];
    readonly spacing: readonly [number, number, number];
  };
  readonly nodules: readonly NoduleTruthJson[];
}

export function truthToJson(truth: PhantomTruth, volume: Volume): PhantomTruthJson {
  const { studyInstanceUid, seriesInstanceUid, frameOfReferenceUid } = volume.source;
  return {
    ...truth,
    series: { studyInstanceUid, seriesInstanceUid, frameOfReferenceUid, dims: volume.dims, spacing: volume.spacing },
    nodules: truth.nodules.map((n) => ({ ...n, mask: encodeBoxMask(n.mask) })),
  };
}
