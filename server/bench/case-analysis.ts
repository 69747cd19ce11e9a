import { parseCtSlice } from '../src/dicom/ct-slice.ts';
import { listDicomFiles, readFileBytes } from '../src/dicom/read-folder.ts';
import { createDetector } from '../src/pipeline/create-detector.ts';
import { analyzeVolume } from '../src/pipeline/analyze-volume.ts';
import { buildVolume } from '../src/pipeline/volume.ts';
import { measure } from './measure.ts';

/** Stages 2-5 with the service's default detector on a series read from disk (reading the files and loading the model are not timed). */
const [dir] = process.argv.slice(2);
const files = await listDicomFiles(dir);
const bytes = await Promise.all(files.map(readFileBytes));
const detector = await createDetector();
await measure('analysis (volume → measurements)', async () => {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const { volume } = buildVolume(bytes.map((b) => parseCtSlice(b)));
  timings.volume = Math.round(performance.now() - t0);
  const result = await analyzeVolume(volume, { detector, onStage: (stage, ms) => { timings[stage] = Math.round(ms); } });
  return { detector: `${detector.name} ${detector.version}`, ...timings, findings: result.findings.length };
});
