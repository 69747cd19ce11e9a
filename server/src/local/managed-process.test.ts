import { describe, expect, it } from 'vitest';
import { managedProcess } from './managed-process.ts';

const never = async () => false;

describe('a managed service process that cannot start', () => {
  it('fails at once with the reason when the binary is missing', async () => {
    const started = Date.now();
    const proc = managedProcess({ name: 'Orthanc', command: '/nonexistent/Orthanc', args: [], ready: never, stopSignal: 'SIGTERM' });
    await expect(proc.start()).rejects.toThrow(/Orthanc could not be started \(\/nonexistent\/Orthanc\): .*ENOENT/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails at once when the process exits before it is ready', async () => {
    const started = Date.now();
    const proc = managedProcess({ name: 'PostgreSQL', command: process.execPath, args: ['-e', 'process.exit(3)'], ready: never, stopSignal: 'SIGTERM' });
    await expect(proc.start()).rejects.toThrow('PostgreSQL exited during start (exit code 3)');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('starts and stops one that becomes ready', async () => {
    let ready = false;
    setTimeout(() => { ready = true; }, 300);
    const proc = managedProcess({ name: 'sleeper', command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'], ready: async () => ready, stopSignal: 'SIGTERM' });
    await expect(proc.start()).resolves.toBeUndefined();
    expect(ready).toBe(true);
    await expect(proc.stop()).resolves.toBeUndefined();
  });
});
