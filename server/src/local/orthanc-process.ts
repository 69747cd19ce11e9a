import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';
import { managedProcess } from './managed-process.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const orthancConfigFile = path.join(repoRoot, 'orthanc', 'orthanc.json');
const orthancBinary = process.env.ORTHANC_BINARY ?? '/usr/sbin/Orthanc';
const pluginsDir = process.env.ORTHANC_PLUGINS ?? '/usr/share/orthanc/plugins';

export interface LocalOrthanc {
  readonly url: string;
  readonly httpPort: number;
  readonly dicomPort: number;
  /** Its DICOM AE title (orthanc/orthanc.json's DicomAet): what a modality sends to. */
  readonly dicomAet: string;
  readonly username: string;
  readonly password: string;
  readonly dataDir: string;
  /** Stops the process; the data directory stays so that `start()` brings the same PACS back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes the data directory. */
  destroy(): Promise<void>;
}

/**
 * Runs Debian's Orthanc with `orthanc/orthanc.json` on free loopback ports and its own data
 * directory, the same configuration Compose mounts. Used by `npm start` and the test suite.
 */
export async function startLocalOrthanc(options: { dataDir?: string; stableAgeSeconds?: number; extraConfig?: Record<string, unknown>; log?: (line: string) => void } = {}): Promise<LocalOrthanc> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'lungbridge-orthanc-')));
  await mkdir(dataDir, { recursive: true });
  const base = JSON.parse(await readFile(orthancConfigFile, 'utf8')) as Record<string, unknown>;
  const [httpPort, dicomPort] = [await freePort(), await freePort()];
  const username = 'lungbridge';
  const password = `pw-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const config = {
    ...base,
    StorageDirectory: path.join(dataDir, 'storage'),
    IndexDirectory: path.join(dataDir, 'storage'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [username]: password },
    Plugins: [pluginsDir],
    ...(options.stableAgeSeconds !== undefined ? { StableAge: options.stableAgeSeconds } : {}),
    ...options.extraConfig,
  };
  const configPath = path.join(dataDir, 'orthanc.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const url = `http://127.0.0.1:${httpPort}`;
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const { start, stop } = managedProcess({
    name: `Orthanc on ${url}`,
    command: orthancBinary,
    args: [configPath],
    ready: async () => (await fetch(`${url}/system`, { headers: { authorization } })).ok,
    stopSignal: 'SIGTERM',
    log: options.log,
  });

  await start();
  return {
    url, httpPort, dicomPort, dicomAet: String(base.DicomAet ?? 'ORTHANC'), username, password, dataDir, start, stop,
    async destroy() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
