/** Shared by the benchmark cases: each runs in its own process so that its peak RSS is its own. */
export interface BenchResult {
  readonly name: string;
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly detail?: Record<string, unknown>;
}

export async function measure(name: string, work: () => Promise<Record<string, unknown> | void>): Promise<void> {
  const started = performance.now();
  const detail = await work();
  const wallMs = Math.round(performance.now() - started);
  // maxRSS is in kilobytes and covers the whole life of this process.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const result: BenchResult = { name, wallMs, peakRssMb, ...(detail ? { detail } : {}) };
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}
