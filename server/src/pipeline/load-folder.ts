import { parseCtSlice, type CtSlice } from '../dicom/ct-slice.ts';
import { listDicomFiles, readFileBytes } from '../dicom/read-folder.ts';
import { PipelineError } from '../errors/pipeline-error.ts';
import { buildVolume } from './volume.ts';

/**
 * Builds the Volume of the CT series in a folder (the largest one if several are present).
 * Used by the CLI (`analyze`, `eval`) on data that is not in a PACS.
 */
export async function loadVolumeFromFolder(dir: string): Promise<ReturnType<typeof buildVolume>> {
  const files = await listDicomFiles(dir);
  if (files.length === 0) throw new PipelineError('no-usable-series', `No DICOM files in ${dir}`);
  const bySeries = new Map<string, CtSlice[]>();
  for (const file of files) {
    let slice: CtSlice;
    try {
      slice = parseCtSlice(await readFileBytes(file));
    } catch (error) {
      if (error instanceof PipelineError && error.code === 'not-ct') continue;
      throw error;
    }
    const list = bySeries.get(slice.seriesInstanceUid) ?? [];
    list.push(slice);
    bySeries.set(slice.seriesInstanceUid, list);
  }
  const largest = [...bySeries.values()].sort((a, b) => b.length - a.length)[0];
  if (!largest) throw new PipelineError('not-ct', `No CT images in ${dir}`);
  return buildVolume(largest);
}
