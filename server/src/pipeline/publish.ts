import type { Db } from '../db/client.ts';
import type { PacsClient } from '../dicomweb/client.ts';
import type { ModelInfo } from '../domain/analysis.ts';
import { saveMachineReport } from '../report/report-repo.ts';
import type { EncodedObject, EncodeResults } from './encode.ts';
import type { PublishResults } from './run-analysis.ts';
import { storeResults } from './store.ts';

/** Where each stored object's UIDs go in a report's `outputs`. */
const outputKeys: Readonly<Record<EncodedObject['kind'], string>> = { sr: 'sr', seg: 'seg', pdf: 'pdf', 'not-analysed-sr': 'notAnalysedSr' };

export function reportOutputs(objects: readonly EncodedObject[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const o of objects) {
    outputs[`${outputKeys[o.kind]}SopInstanceUid`] = o.sopInstanceUid;
    outputs[`${outputKeys[o.kind]}SeriesInstanceUid`] = o.seriesInstanceUid;
  }
  return outputs;
}

/**
 * Stages 7-8 of the service: SR, SEG, the report as Encapsulated PDF (and a "not analysed" SR for a
 * Lung-RADS 0 exam) encoded and stored in one STOW-RS; then version 1 of the report, the machine's,
 * recorded with the UIDs of what was stored.
 */
export function createPublisher(deps: { pacs: PacsClient; db: Db; model: ModelInfo; encode: EncodeResults }): PublishResults {
  return async ({ volume, findings, assessment, analysisId, uids, claim, onStage }) => {
    let started = performance.now();
    const objects = await deps.encode({
      volume,
      findings,
      model: deps.model,
      assessments: assessment.findingAssessments,
      examLungRads: assessment.exam,
      notes: assessment.report.notes,
      report: assessment.report,
      uids,
    });
    onStage?.('encode', Math.round(performance.now() - started));
    started = performance.now();
    // A late worker that passes this and then stores stores the same instances as the one that took over (`uids`).
    await claim.check();
    const outputs = await storeResults({ pacs: deps.pacs, db: deps.db }, { analysisId, studyInstanceUid: volume.source.studyInstanceUid, objects });
    await claim.write((tx) => saveMachineReport(tx, analysisId, {
      report: assessment.report,
      issuedBy: `${deps.model.name} ${deps.model.version}`,
      outputs: reportOutputs(objects),
    }));
    onStage?.('store', Math.round(performance.now() - started));
    return outputs;
  };
}
