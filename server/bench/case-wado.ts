import { measure } from './measure.ts';

/** Baseline: a plain WADO-RS retrieval of the whole series, body read to the end and dropped. */
const [dicomWebUrl, authorization, studyUid, seriesUid] = process.argv.slice(2);
await measure('plain WADO-RS retrieval', async () => {
  const response = await fetch(`${dicomWebUrl}/studies/${studyUid}/series/${seriesUid}`, {
    headers: { authorization, accept: 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1' },
  });
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  return { megabytes: Math.round(bytes / 1e6) };
});
