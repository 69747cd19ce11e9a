import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { filesBelow, folderEntries, isFolder } from '../local/folder-entries.ts';
import { loadVolumeFromFolder } from '../pipeline/load-folder.ts';
import { lidcCaseFromVolume, type LidcCase } from './lidc-case.ts';
import { isLidcReadMessage, parseLidcXml, type LidcReadMessage } from './lidc-xml.ts';

const isReadMessageFile = async (file: string) => file.toLowerCase().endsWith('.xml') && isLidcReadMessage(await readFile(file, 'utf8'));

/** Every LIDC CT read message (.xml) below `dir`, in path order. */
export async function findLidcXmlFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of await filesBelow(dir)) if (await isReadMessageFile(file)) found.push(file);
  return found;
}

/** LIDC-IDRI's case folder names (the PatientID), e.g. LIDC-IDRI-0001. */
const lidcCaseName = /^LIDC-IDRI-\d+$/;

/**
 * The case folders under `root`: `root` itself when it directly holds a read message (our layout:
 * `annotations.xml` beside `ct/`) or is named like a LIDC-IDRI case, else each sub-folder with a
 * read message somewhere below it (the full LIDC-IDRI download nests study and series folders
 * inside each case folder, with the XML beside the series' DICOM files).
 */
export async function findLidcCases(root: string): Promise<string[]> {
  if (lidcCaseName.test(path.basename(path.resolve(root)))) return [root];
  const entries = await folderEntries(root);
  for (const entry of entries) {
    if (entry.kind === 'file' && (await isReadMessageFile(entry.path))) return [root];
  }
  const cases: string[] = [];
  for (const entry of entries.filter((e) => e.kind === 'folder')) {
    if ((await findLidcXmlFiles(entry.path)).length > 0) cases.push(entry.path);
  }
  return cases;
}

/**
 * Reads one LIDC case: the CT in `caseDir/ct/` (our layout) or anywhere below `caseDir` (the
 * LIDC-IDRI download; the largest CT series is taken), and the read message for that series.
 * A case folder of the download can hold several read messages (one per CT series); the one whose
 * SeriesInstanceUid matches the volume is used.
 */
export async function readLidcCase(caseDir: string): Promise<LidcCase> {
  const xmlFiles = await findLidcXmlFiles(caseDir);
  if (xmlFiles.length === 0) throw new Error(`No LIDC read message (LidcReadMessage .xml) below ${caseDir}`);
  const ctDir = path.join(caseDir, 'ct');
  const { volume, summary } = await loadVolumeFromFolder((await isFolder(ctDir)) ? ctDir : caseDir);
  const messages: LidcReadMessage[] = await Promise.all(xmlFiles.map(async (f) => parseLidcXml(await readFile(f, 'utf8'))));
  const message = messages.find((m) => m.seriesInstanceUid === volume.source.seriesInstanceUid) ?? messages[0];
  return lidcCaseFromVolume(path.basename(path.resolve(caseDir)), volume, summary, message);
}
