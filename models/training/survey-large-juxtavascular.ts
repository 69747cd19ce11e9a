/**
 * Large solid juxtavascular nodules, end to end: 12 phantoms (seeds 15-18, each shape) of 60 slices
 * at the evaluation set's geometry, with two 12-28 mm nodules on vessels in the middle zones, run
 * through `analyzeVolume` with the model and the classical detector. Prints per phantom the nodules
 * found (a finding's centroid within the nodule's radius) with their Dice, and the totals. The
 * evaluation set (`lungbridge eval --phantom-set`) has few such nodules; this is where the
 * segmentation's largest box lost them (models/MODEL_CARD.md).
 *
 *   npx tsx models/training/survey-large-juxtavascular.ts
 */
import { voxelDistanceMm } from '../../server/src/domain/volume.ts';
import { createClassicalDetector } from '../../server/src/detect/classical-detector.ts';
import { diceCoefficient } from '../../server/src/eval/mask-overlap.ts';
import { createModelDetector, loadPatchClassifier } from '../../server/src/inference/model-detector.ts';
import { generatePhantom, phantomSetGeometry } from '../../server/src/phantom/generate.ts';
import type { NoduleSpec } from '../../server/src/phantom/types.ts';
import { analyzeVolume } from '../../server/src/pipeline/analyze-volume.ts';

const sizesMm = [12, 16, 20, 24, 28];
const detectors = { model: createModelDetector(await loadPatchClassifier()), classical: createClassicalDetector() };
const hits = { model: 0, classical: 0 };
const falsePositives = { model: 0, classical: 0 };
let nodules = 0;
for (const seed of [15, 16, 17, 18]) {
  for (const shape of ['round', 'lobulated', 'spiculated'] as const) {
    const specs: NoduleSpec[] = [0, 1].map((n) => ({
      diameterMm: sizesMm[(seed + n * 2) % sizesMm.length], type: 'solid', shape, attachment: 'juxtavascular', zone: 'middle', laterality: n ? 'left' : 'right',
    }));
    const { volume, truth } = generatePhantom({ seed, ...phantomSetGeometry, slices: 60, nodules: specs });
    nodules += truth.nodules.length;
    const line = [`seed ${seed} ${shape}`];
    for (const [name, detector] of Object.entries(detectors) as Array<[keyof typeof detectors, typeof detectors.model]>) {
      const { findings } = await analyzeVolume(volume, { detector });
      const found = new Set<number>();
      for (const f of findings) {
        const t = truth.nodules.find((n) => voxelDistanceMm(f.centroidVoxel, n.centreVoxel, volume.spacing) <= n.diameterMm / 2);
        if (!t) falsePositives[name]++;
        else if (!found.has(t.index)) {
          found.add(t.index);
          hits[name]++;
          line.push(`${name}: ${t.diameterMm} mm, Dice ${diceCoefficient(t.mask, f.mask).toFixed(2)}`);
        }
      }
    }
    console.log(line.join(' | '));
  }
}
console.log(`${nodules} nodules; found: model ${hits.model}, classical ${hits.classical}; false positives: model ${falsePositives.model}, classical ${falsePositives.classical}`);
process.exit(0);
