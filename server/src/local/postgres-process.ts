import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './free-port.ts';

const run = promisify(execFile);

async function postgresBinDir(): Promise<string> {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const { stdout } = await run('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1']);
  const dir = stdout.trim();
  if (!dir) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  return dir;
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
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? 'postgres' : userInfo().username;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', owner]);
    const { stdout: gid } = await run('id', ['-g', owner]);
    await chown(dataDir, Number(stdout), Number(gid));
    await chmod(dataDir, 0o700);
  }
  const asOwner = (command: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', owner, '--', command, ...args]] : [command, args];
  const [initCmd, initArgs] = asOwner(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  await run(initCmd, initArgs);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    if (child) return;
    const [cmd, args] = asOwner(path.join(bin, 'postgres'), [
      '-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dataDir,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    ]);
    const proc = spawn(cmd, args, { stdio: 'ignore' });
    child = proc;
    let exited = false;
    proc.once('exit', () => { exited = true; if (child === proc) child = undefined; });
    const [readyCmd, readyArgs] = asOwner(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']);
    await waitFor(async () => {
      if (exited) throw new Error('PostgreSQL exited during start');
      await run(readyCmd, readyArgs);
      return true;
    }, `PostgreSQL on port ${port}`);
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = undefined;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      // SIGINT = "fast" shutdown: active connections are cut, as in a real restart.
      proc.kill('SIGINT');
      setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
    });
  }

  await start();
  return {
    url, port, dataDir, start, stop,
    async destroy() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
