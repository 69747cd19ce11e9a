import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';

export const summary = 'List recent analyses of the running Lungbridge server';
export const usage = `Usage: lungbridge analyses [--status S] [--limit N] [--json]
  --status S   only queued, running, succeeded, failed, skipped or cancelled analyses
  --limit N    at most N, newest first (default 20)
  --json       the API's JSON instead of a table
  The server is LUNGBRIDGE_URL, else LUNGBRIDGE_PUBLIC_URL, else LUNGBRIDGE_HOST:LUNGBRIDGE_PORT;
  the first of LUNGBRIDGE_API_KEYS is sent.`;

/** Talks to the server's REST API (LUNGBRIDGE_URL, default from LUNGBRIDGE_PORT), with the first API key. */
export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { status: { type: 'string' }, limit: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } } });
  const config = loadConfig();
  const base = process.env.LUNGBRIDGE_URL ?? config.publicUrl ?? `http://${config.host}:${config.port}`;
  const query = new URLSearchParams({ limit: values.limit ?? '20', ...(values.status ? { status: values.status } : {}) });
  const response = await fetch(`${base}/api/v1/analyses?${query}`, { headers: { authorization: `Bearer ${config.apiKeys[0]}` } });
  const body = await response.json() as { items?: Array<Record<string, any>>; detail?: string };
  if (!response.ok) {
    process.stderr.write(`lungbridge analyses: HTTP ${response.status}: ${body.detail ?? ''}\n`);
    return 1;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(body.items, null, 2)}\n`);
    return 0;
  }
  const rows = (body.items ?? []).map((a) => [
    a.createdAt.slice(0, 19).replace('T', ' '), a.status, a.studyInstanceUid,
    a.series ? `${a.series.sliceCount} sl @ ${a.series.spacingMm[2].toFixed(2)} mm` : '',
    String(a.findingCount ?? ''), a.error?.reason ?? '',
  ]);
  const header = ['created', 'status', 'study', 'series', 'nodules', 'reason'];
  const widths = header.map((h, n) => Math.max(h.length, ...rows.map((r) => r[n].length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((cell, n) => cell.padEnd(widths[n])).join('  ').trimEnd()}\n`);
  return 0;
}
