// Worker threads do not inherit the parent's TypeScript loader: each registers tsx itself, then
// loads its TypeScript entry (workerData.entry), as server/bin/lungbridge.mjs does for the CLI.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
