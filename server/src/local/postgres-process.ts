import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';
import { managedProcess } from './managed-process.ts';

const run = promisify(execFile);

async function postgresBinDir(): Promise<string> {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const { stdout } = await run('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1']);
  const dir = stdout.trim();
  if (!dir) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  return dir;
}

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { uid: Number(uid), gid: Number(gid) };
}

export interface LocalPostgres {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster (initdb) on a free loopback port, so tests never depend on a
 * server's leftovers and can restart it. PostgreSQL refuses to run as root: as root the cluster
 * belongs to the `postgres` system user.
 */
export async function startLocalPostgres(): Promise<LocalPostgres> {
  const bin = await postgresBinDir();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lungbridge-pg-'));
  // As root, every PostgreSQL program runs as the `postgres` system user (setuid at spawn, so that
  // signals reach the server itself rather than a wrapper such as runuser).
  const owner = userInfo().uid === 0 ? await systemUser('postgres') : undefined;
  if (owner) {
    await chown(dataDir, owner.uid, owner.gid);
    await chmod(dataDir, 0o700);
  }
  const asOwner = { ...(owner ?? {}), env: { ...process.env, LC_ALL: 'C.UTF-8' } };
  await run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...asOwner, cwd: dataDir });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const { start, stop } = managedProcess({
    name: `PostgreSQL on port ${port}`,
    command: path.join(bin, 'postgres'),
    args: [
      '-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dataDir,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    ],
    spawnOptions: { ...asOwner, cwd: dataDir },
    ready: async () => { await run(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']); return true; },
    // SIGINT = "fast" shutdown: active connections are cut, as in a real restart.
    stopSignal: 'SIGINT',
    killAfterMs: 15_000,
  });

  await start();
  return {
    url, port, dataDir, start, stop,
    async destroy() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
