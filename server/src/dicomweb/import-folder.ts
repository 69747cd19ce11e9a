import { listDicomFiles, readFileBytes } from '../dicom/read-folder.ts';
import type { PacsClient } from './client.ts';
import { errorMessage } from '../errors/error-message.ts';

export interface ImportProgress {
  readonly done: number;
  readonly total: number;
}

export interface ImportSummary {
  readonly files: number;
  readonly stored: number;
  readonly failures: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
}

/** Instances per STOW-RS request: large enough to amortise the round trip, small enough to retry. */
const batchSize = 16;

/**
 * Stores every DICOM file below `dir` into the PACS over STOW-RS. A batch the PACS refuses as a
 * whole is retried file by file, so one corrupt file is named and the rest still arrive.
 */
export async function importFolder(pacs: PacsClient, dir: string, onProgress?: (p: ImportProgress) => void): Promise<ImportSummary> {
  const files = await listDicomFiles(dir);
  const failures: Array<{ file: string; reason: string }> = [];
  let stored = 0;
  let done = 0;
  for (let start = 0; start < files.length; start += batchSize) {
    const batch = files.slice(start, start + batchSize);
    const bytes = await Promise.all(batch.map(readFileBytes));
    try {
      const result = await pacs.store('', bytes);
      stored += result.stored.length;
      if (result.failed.length) {
        for (const failure of result.failed) failures.push({ file: failure.sopInstanceUid || '(unknown instance)', reason: `PACS refused it (failure reason ${failure.reason ?? 'unknown'})` });
      }
    } catch {
      for (let n = 0; n < batch.length; n++) {
        try {
          const result = await pacs.store('', [bytes[n]]);
          stored += result.stored.length;
          if (result.failed.length) failures.push({ file: batch[n], reason: `PACS refused it (failure reason ${result.failed[0].reason ?? 'unknown'})` });
        } catch (error) {
          failures.push({ file: batch[n], reason: errorMessage(error) });
        }
      }
    }
    done += batch.length;
    onProgress?.({ done, total: files.length });
  }
  return { files: files.length, stored, failures };
}
