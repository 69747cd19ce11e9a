import type { Finding } from '../domain/finding.ts';
import type { MatchedScan } from './froc.ts';
import { matchDetections } from './match.ts';
import { measureHit, type HitMeasurement } from './measurement-errors.ts';
import type { ScanReference } from './references.ts';

/** One scan's findings against its reference, at one operating threshold and over all scores. */
export interface ScanScore {
  /** All findings matched (whatever their probability): the input of the FROC curve. */
  readonly matched: MatchedScan;
  readonly operatingThreshold: number;
  /** At the operating threshold: */
  readonly nodules: number;
  readonly hits: number;
  readonly misses: number;
  readonly falsePositives: number;
  /** Findings on ignored regions and second findings on a hit nodule. */
  readonly neither: number;
  readonly missedIds: readonly string[];
  readonly measurements: readonly HitMeasurement[];
}

export function scoreScan(reference: ScanReference, findings: readonly Finding[], operatingThreshold: number): ScanScore {
  const detections = findings.map((f) => ({ centreMm: f.centroidMm, probability: f.probability }));
  const matched: MatchedScan = {
    references: reference.nodules,
    detections,
    match: matchDetections(reference.nodules, detections, reference.ignored),
  };
  const kept = findings.filter((f) => f.probability >= operatingThreshold);
  const atThreshold = matchDetections(
    reference.nodules,
    kept.map((f) => ({ centreMm: f.centroidMm, probability: f.probability })),
    reference.ignored,
  );
  const kinds = atThreshold.outcomes.map((o) => o.kind);
  return {
    matched,
    operatingThreshold,
    nodules: reference.nodules.length,
    hits: kinds.filter((k) => k === 'hit').length,
    misses: atThreshold.hitBy.filter((d) => d === undefined).length,
    falsePositives: kinds.filter((k) => k === 'false-positive').length,
    neither: kinds.filter((k) => k === 'duplicate' || k === 'ignored').length,
    missedIds: reference.nodules.filter((_, r) => atThreshold.hitBy[r] === undefined).map((n) => n.id),
    measurements: atThreshold.hitBy.flatMap((d, r) => (d === undefined ? [] : [measureHit(reference.nodules[r], kept[d])])),
  };
}
