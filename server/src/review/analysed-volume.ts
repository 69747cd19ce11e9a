import type { Db } from '../db/client.ts';
import type { PacsClient } from '../dicomweb/client.ts';
import type { Volume } from '../domain/volume.ts';
import type { AnalysisRow } from '../jobs/queue.ts';
import { seriesStoredByUs } from '../jobs/router.ts';
import { describeStudy, fetchStudy } from '../pipeline/fetch.ts';
import type { BuildVolume } from '../pipeline/volume.ts';

/** The volume an analysis read, fetched again from the PACS (the series it recorded, ours left out). */
export interface AnalysedVolumeDeps {
  readonly db: Db;
  readonly pacs: PacsClient;
  /** The engine's (off the service's thread). */
  readonly buildVolume: BuildVolume;
}

export async function loadAnalysedVolume(deps: AnalysedVolumeDeps, analysis: AnalysisRow): Promise<Volume> {
  const ours = await seriesStoredByUs(deps.db, analysis.studyInstanceUid);
  const candidates = (await describeStudy(deps.pacs, analysis.studyInstanceUid, ours))
    .filter((c) => !analysis.series || c.info.seriesInstanceUid === analysis.series.seriesInstanceUid);
  const fetched = await fetchStudy(deps.pacs, analysis.studyInstanceUid, candidates);
  return (await deps.buildVolume(fetched.slices)).volume;
}
