import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { createDefaultEngine } from '../../engine.ts';
import { viewerUrl } from '../../http/pages/home-page.ts';
import { startLocalOrthanc, type LocalOrthanc } from '../../local/orthanc-process.ts';
import { createLogger } from '../../logger.ts';
import { startService } from '../../service.ts';
import { untilSignal } from './serve.ts';

export const summary = 'Run everything locally: native Orthanc, embedded database, server and viewer (npm start; --demo analyses a phantom)';
export const usage = `Usage: lungbridge start [--demo]
  Starts Debian's Orthanc on free ports (unless ORTHANC_URL is set), the embedded database (unless
  DATABASE_URL is set), the server and the viewer, and prints their URLs and credentials (npm start).
  --demo   also stores a synthetic chest CT with four known nodules and prints its viewer link
           once it is analysed (npm run demo)`;

/** The API key of a local installation, generated once and kept in the data dir. */
async function localApiKey(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'api-key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const key = randomBytes(24).toString('base64url');
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { demo: { type: 'boolean', default: false } } });
  const dataDir = path.resolve(process.env.LUNGBRIDGE_DATA_DIR ?? '.data');
  await mkdir(dataDir, { recursive: true });
  const env: Record<string, string | undefined> = { ...process.env, LUNGBRIDGE_DATA_DIR: dataDir };
  env.LUNGBRIDGE_API_KEYS ??= await localApiKey(dataDir);

  let orthanc: LocalOrthanc | undefined;
  if (!env.ORTHANC_URL) {
    orthanc = await startLocalOrthanc({ dataDir: path.join(dataDir, 'orthanc'), stableAgeSeconds: 3 });
    Object.assign(env, { ORTHANC_URL: orthanc.url, ORTHANC_USERNAME: orthanc.username, ORTHANC_PASSWORD: orthanc.password });
  }
  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
  const engine = await createDefaultEngine({ detector: config.detector.kind, modelPath: config.detector.modelPath, threads: config.detector.threads });
  const service = await startService(config, engine, log);
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  out(`Lungbridge is running at ${service.url}`);
  out(`  API key:      ${config.apiKeys[0]}   (Authorization: Bearer <key>; paste it at ${service.url}/login)`);
  out(`  Reading room: ${service.url}/`);
  out(`  PACS:         ${config.orthanc.url}${orthanc ? ` (native Orthanc, user ${orthanc.username} / ${orthanc.password}, data in ${orthanc.dataDir})` : ''}`);
  if (orthanc) out(`  DICOM:        AE title ${orthanc.dicomAet}, port ${orthanc.dicomPort} (C-STORE from a modality, or dcmtk's storescu)`);
  out(`  Database:     ${service.database.kind === 'pglite' ? `embedded PGlite in ${dataDir}/pglite` : 'PostgreSQL (DATABASE_URL)'}`);

  if (values.demo) {
    const { runDemo } = await import('../demo.ts');
    const studyInstanceUid = await runDemo({ service, dataDir, log: out });
    out(`  Viewer:       ${service.url}${viewerUrl(studyInstanceUid)}   (log in with the API key above)`);
  }
  out('Press Ctrl-C to stop.');
  await untilSignal();
  out('Stopping…');
  await service.stop();
  await engine.close();
  await orthanc?.stop();
  return 0;
}
