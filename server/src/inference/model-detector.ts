import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { Candidate } from '../domain/finding.ts';
import type { Volume } from '../domain/volume.ts';
import { proposalScore } from '../detect/classical-detector.ts';
import { proposeCandidates, type Proposal } from '../detect/proposals.ts';
import type { Detector } from '../pipeline/detect.ts';
import type { LungMask } from '../pipeline/lungs.ts';
import { parseModelManifest, type ModelManifest } from './model-manifest.ts';
import { readOnnxMetadata } from './onnx-metadata.ts';
import { patchVoxelCount, samplePatch } from './patch.ts';

/** The committed nodule model (models/MODEL_CARD.md). */
export const defaultModelPath = fileURLToPath(new URL('../../../models/lungbridge-nodule-cnn.onnx', import.meta.url));

/** A loaded patch classifier: one onnxruntime session, created once and reused for every scan. */
export interface PatchClassifier {
  readonly manifest: ModelManifest;
  /** Probabilities of `count` patches laid out back to back in `patches` (HU, [n][z][y][x]). */
  classify(patches: Float32Array, count: number): Promise<Float32Array>;
}

export interface SessionOptions {
  /** Intra-op threads; the analysis host's cores (2 in the reference deployment). */
  readonly threads?: number;
}

export async function loadPatchClassifier(modelPath: string = defaultModelPath, options: SessionOptions = {}): Promise<PatchClassifier> {
  const bytes = new Uint8Array(await readFile(modelPath));
  const manifest = parseModelManifest(readOnnxMetadata(bytes));
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: options.threads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  const [sx, sy, sz] = manifest.patch.size;
  return {
    manifest,
    async classify(patches, count) {
      const tensor = new ort.Tensor('float32', patches.subarray(0, count * sx * sy * sz), [count, 1, sz, sy, sx]);
      const result = await session.run({ [input]: tensor });
      return Float32Array.from(result[output].data as Float32Array);
    },
  };
}

export interface ModelDetectorOptions {
  /** Blob proposals classified per scan, best first by the blob score: on the training phantoms the
   * first proposal on a faint subsolid nodule ranked up to ~950th of ~4000, so 1024 by default. */
  readonly maxCandidates?: number;
  /** Patches per session run: bounds the patch buffer (64 x 32 x 32 x 16 floats = 4 MB). */
  readonly batchSize?: number;
}

/**
 * The trained detector: blob proposals (the classical detector's first stage) give the candidate
 * centres and sizes; the network classifies a patch around each. Patches are resampled batch by
 * batch into one reused buffer, so memory stays bounded whatever the scan's size.
 */
export function createModelDetector(classifier: PatchClassifier, options: ModelDetectorOptions = {}): Detector {
  const maxCandidates = options.maxCandidates ?? 1024;
  const batchSize = options.batchSize ?? 64;
  const { manifest } = classifier;
  const voxels = patchVoxelCount(manifest.patch);
  const buffer = new Float32Array(batchSize * voxels);
  return {
    name: manifest.name,
    version: manifest.version,
    async detect(volume: Volume, lungs: LungMask): Promise<Candidate[]> {
      const proposals = rankProposals(proposeCandidates(volume, lungs)).slice(0, maxCandidates);
      const candidates: Candidate[] = [];
      for (let start = 0; start < proposals.length; start += batchSize) {
        const batch = proposals.slice(start, start + batchSize);
        batch.forEach((p, n) => samplePatch(volume, p.centreVoxel, manifest.patch, buffer, n * voxels));
        const probabilities = await classifier.classify(buffer, batch.length);
        batch.forEach((p, n) => candidates.push({ centreVoxel: p.centreVoxel, diameterMm: p.diameterMm, probability: probabilities[n] }));
      }
      return candidates;
    },
  };
}

function rankProposals(proposals: readonly Proposal[]): Proposal[] {
  return proposals
    .map((p) => ({ p, score: proposalScore(p) }))
    .sort((a, b) => b.score - a.score)
    .map(({ p }) => p);
}
