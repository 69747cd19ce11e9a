import { parseCtSlice } from '../src/dicom/ct-slice.ts';
import { listDicomFiles, readFileBytes } from '../src/dicom/read-folder.ts';
import { createModelDetector, loadPatchClassifier } from '../src/inference/model-detector.ts';
import { segmentLungs } from '../src/pipeline/lungs.ts';
import { buildVolume } from '../src/pipeline/volume.ts';
import { measure } from './measure.ts';

/**
 * The trained model as the detector on the 320-slice series: candidate proposals, patch sampling and
 * onnxruntime-node on 2 intra-op threads (the session is created before timing, once, as in the service).
 */
const [dir] = process.argv.slice(2);
const files = await listDicomFiles(dir);
const { volume } = buildVolume(await Promise.all(files.map(async (f) => parseCtSlice(await readFileBytes(f)))));
const lungs = segmentLungs(volume);
const classifier = await loadPatchClassifier();
const detector = createModelDetector(classifier);
const detect = async () => {
  const candidates = await detector.detect(volume, lungs);
  return { model: `${classifier.manifest.name} ${classifier.manifest.version}`, candidates: candidates.length, above05: candidates.filter((c) => c.probability >= 0.5).length };
};
await measure('model inference (detect stage)', detect);
// The same scan again: a service that has analysed a study before runs the proposal and segmentation
// code compiled by then (the first call above also pays for that compilation). Peak RSS is the process's.
await measure('model inference (detect stage), warm', detect);
