import { PacsClient } from '../src/dicomweb/client.ts';
import { describeStudy, fetchStudy } from '../src/pipeline/fetch.ts';
import { buildVolume } from '../src/pipeline/volume.ts';
import { measure } from './measure.ts';

/** Lungbridge's stages 1-2: series selection, streamed WADO-RS retrieval, parsing, the HU volume. */
const [dicomWebUrl, username, password, studyUid] = process.argv.slice(2);
const pacs = new PacsClient({ dicomWebUrl, username, password });
await measure('fetch + volume', async () => {
  const t0 = performance.now();
  const fetched = await fetchStudy(pacs, studyUid, await describeStudy(pacs, studyUid));
  const t1 = performance.now();
  const { summary } = buildVolume(fetched.slices);
  return { fetchMs: Math.round(t1 - t0), volumeMs: Math.round(performance.now() - t1), slices: summary.sliceCount };
});
