import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { PacsClient } from '../../dicomweb/client.ts';
import { importFolder } from '../../dicomweb/import-folder.ts';
import { progressBar } from '../progress.ts';

export const summary = 'Store a folder of DICOM files into the configured PACS (STOW-RS)';
export const usage = `Usage: lungbridge import <dir>
  Stores every DICOM file below <dir> into ORTHANC_URL's DICOMweb (STOW-RS), with a progress bar;
  files that are not DICOM, or that the PACS refuses, are named with the reason.`;

export async function run(args: readonly string[]): Promise<number> {
  const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
  const [dir] = positionals;
  if (!dir) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const config = loadConfig();
  const pacs = new PacsClient({ dicomWebUrl: `${config.orthanc.url}${config.orthanc.dicomWebRoot}`, username: config.orthanc.username, password: config.orthanc.password });
  const bar = progressBar('import');
  const result = await importFolder(pacs, dir, ({ done, total }) => bar.update(done, total));
  process.stdout.write(`${result.stored} of ${result.files} instances stored into ${config.orthanc.url}\n`);
  for (const failure of result.failures) process.stdout.write(`  FAILED ${failure.file}: ${failure.reason}\n`);
  return result.failures.length ? 1 : 0;
}
