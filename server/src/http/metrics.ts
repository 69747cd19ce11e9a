/**
 * A small Prometheus text-format registry: counters and histograms kept in process, plus gauges
 * read at scrape time (queue depth comes from the database, so every replica reports the truth).
 */
type Labels = Readonly<Record<string, string>>;

const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}` : '';
};

export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}

  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    const entry = this.series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((bound, n) => { if (value <= bound) entry.counts[n]++; });
    entry.sum += value;
    entry.count++;
    this.series.set(key, entry);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, n) => lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${counts[n]}`));
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

export function renderGauge(name: string, help: string, values: ReadonlyArray<{ labels: Labels; value: number }>, type: 'gauge' | 'counter' = 'gauge'): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...values.map(({ labels, value }) => `${name}${labelText(labels)} ${value}`)].join('\n');
}

export class ServiceMetrics {
  readonly stageDuration = new Histogram('lungbridge_stage_duration_seconds', 'Wall time of each pipeline stage', [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]);
  readonly analysisDuration = new Histogram('lungbridge_analysis_duration_seconds', 'Wall time of a whole analysis run', [1, 2.5, 5, 10, 30, 60, 120, 300, 600]);
}
