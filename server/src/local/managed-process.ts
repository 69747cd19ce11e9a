import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { waitFor } from './free-port.ts';

export interface ManagedProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** uid/gid/cwd/env for the process (e.g. PostgreSQL as its system user when we are root). */
  readonly spawnOptions?: Pick<SpawnOptions, 'uid' | 'gid' | 'cwd' | 'env'>;
  /** Resolves true once the service answers. */
  readonly ready: () => Promise<boolean>;
  /** The signal for a clean stop (SIGKILL follows after `killAfterMs`). */
  readonly stopSignal: NodeJS.Signals;
  readonly killAfterMs?: number;
  readonly log?: (text: string) => void;
}

export interface ManagedProcess {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A service process (Orthanc, PostgreSQL) that can be stopped and started again with the same
 * data, as tests need to make a PACS or a database go away and come back.
 */
export function managedProcess(options: ManagedProcessOptions): ManagedProcess {
  let child: ChildProcess | undefined;
  return {
    async start() {
      if (child) return;
      const proc = spawn(options.command, [...options.args], { ...options.spawnOptions, stdio: ['ignore', options.log ? 'pipe' : 'ignore', options.log ? 'pipe' : 'ignore'] });
      child = proc;
      const forward = (chunk: Buffer) => options.log?.(chunk.toString());
      proc.stdout?.on('data', forward);
      proc.stderr?.on('data', forward);
      // A missing binary or a crash at start fails at once, not after the readiness timeout; a
      // process that ends later (started or not) is forgotten, so start() can run it again.
      const forget = () => { if (child === proc) child = undefined; };
      const failed = new Promise<never>((_, reject) => {
        proc.once('error', (error) => { forget(); reject(new Error(`${options.name} could not be started (${options.command}): ${error.message}`)); });
        proc.once('exit', (code, signal) => { forget(); reject(new Error(`${options.name} exited during start (${signal ?? `exit code ${code}`})`)); });
      });
      failed.catch(() => undefined);
      let started = false;
      try {
        await Promise.race([waitFor(() => options.ready(), options.name), failed]);
        started = true;
      } finally {
        if (!started && child === proc) {
          child = undefined;
          proc.kill('SIGKILL');
        }
      }
    },
    async stop() {
      const proc = child;
      if (!proc) return;
      child = undefined;
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill(options.stopSignal);
        setTimeout(() => proc.kill('SIGKILL'), options.killAfterMs ?? 10_000).unref();
      });
    },
  };
}
