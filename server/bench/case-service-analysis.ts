import { parseCtSlice } from '../src/dicom/ct-slice.ts';
import { listDicomFiles, readFileBytes } from '../src/dicom/read-folder.ts';
import { createDefaultEngine } from '../src/engine.ts';
import { measure } from './measure.ts';

/**
 * Stages 2-5 as the service runs them, on its analysis thread (the files read and parsed, and the
 * thread started, beforehand), with the longest time the service's own event loop, which answers
 * the API, the viewer and /health, went without a turn meanwhile.
 */
const [dir] = process.argv.slice(2);
const files = await listDicomFiles(dir);
const slices = await Promise.all(files.map(async (f) => parseCtSlice(await readFileBytes(f))));
const engine = await createDefaultEngine();
const tickMs = 10;
await measure('analysis on the service\'s analysis thread', async () => {
  let last = performance.now();
  let longestStallMs = 0;
  const ticks = setInterval(() => {
    const now = performance.now();
    longestStallMs = Math.max(longestStallMs, now - last - tickMs);
    last = now;
  }, tickMs);
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const { volume } = await engine.buildVolume(slices);
  timings.volume = Math.round(performance.now() - t0);
  const result = await engine.analyze(volume, { onStage: (stage, ms) => { timings[stage] = Math.round(ms); } });
  clearInterval(ticks);
  return { detector: `${engine.model.name} ${engine.model.version}`, ...timings, findings: result.findings.length, longestEventLoopStallMs: Math.round(longestStallMs) };
});
await engine.close();
