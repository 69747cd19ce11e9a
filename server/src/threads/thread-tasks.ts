import { downsampleLungSlab, groupMaxima, type BlobScaleGroup, type LungBoxSlab, type ScaleMaximum } from '../detect/proposals.ts';
import { resampleGridSlab, type GridSlab } from '../inference/patch.ts';
import { segmentCrop, type CropSegmentation, type SegmentationCrop } from '../pipeline/segment.ts';

/**
 * The work the analysis shares out over threads: pure functions of plain data (typed arrays and
 * numbers), so their inputs and outputs cross between threads by structured clone or transfer.
 */
export const threadTasks = {
  /** A slab of the lungs' box block-averaged for the blob filter: a copy of the slab's box made for the helper and handed over whole. */
  lungBoxSlab: {
    run: (slab: LungBoxSlab): Float32Array[] => downsampleLungSlab(slab),
    transferInput: (slab: LungBoxSlab): ArrayBuffer[] => [slab.source.voxels.buffer as ArrayBuffer, slab.source.mask.buffer as ArrayBuffer],
    transferOutput: (parts: Float32Array[]): ArrayBuffer[] => parts.map((part) => part.buffer as ArrayBuffer),
  },
  /** Scales of the blob filter on one grid (proposals). The grid (up to ~15 MB) is copied: other groups may share it. */
  blobScales: {
    run: (group: BlobScaleGroup): ScaleMaximum[][] => groupMaxima(group),
    transferInput: (): ArrayBuffer[] => [],
    transferOutput: (): ArrayBuffer[] => [],
  },
  /**
   * Planes of the patch grid, from a copy of the slices they read, made for the helper and handed
   * over whole (tens of megabytes); the scan itself stays on its thread.
   */
  gridSlab: {
    run: (slab: GridSlab): Float32Array => resampleGridSlab(slab),
    transferInput: (slab: GridSlab): ArrayBuffer[] => [slab.source.voxels.buffer as ArrayBuffer],
    transferOutput: (planes: Float32Array): ArrayBuffer[] => [planes.buffer as ArrayBuffer],
  },
  /** One nodule segmentation in its crop (under a megabyte: copied, so the crop stays usable). */
  segmentCrop: {
    run: (crop: SegmentationCrop): CropSegmentation | undefined => segmentCrop(crop),
    transferInput: (): ArrayBuffer[] => [],
    transferOutput: (result: CropSegmentation | undefined): ArrayBuffer[] => (result ? [result.nodule.buffer as ArrayBuffer] : []),
  },
};

export type ThreadTaskName = keyof typeof threadTasks;
export type TaskInput<N extends ThreadTaskName> = Parameters<(typeof threadTasks)[N]['run']>[0];
export type TaskOutput<N extends ThreadTaskName> = ReturnType<(typeof threadTasks)[N]['run']>;

/** A batch of one task's inputs sent to a helper thread. */
export interface TaskRequest {
  readonly id: number;
  readonly task: ThreadTaskName;
  readonly inputs: readonly unknown[];
}

export type TaskReply =
  | { readonly id: number; readonly outputs: readonly unknown[] }
  | { readonly id: number; readonly error: { readonly message: string; readonly stack?: string } };
