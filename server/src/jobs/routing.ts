import type { RoutingRules } from '../config.ts';
import type { SeriesCandidate } from '../pipeline/select-series.ts';
import { assessSeries } from '../pipeline/select-series.ts';

export type RoutingDecision =
  | { readonly match: true }
  | { readonly match: false; readonly rule: keyof RoutingRules; readonly reason: string };

/** The rules in the order a study fails them: the first failing rule is the reason given. */
const ruleOrder = ['modality', 'minSlices', 'maxSliceThicknessMm', 'seriesDescriptionPattern', 'bodyPartPattern'] as const;

function seriesFailure(candidate: SeriesCandidate, rules: RoutingRules): { rule: (typeof ruleOrder)[number]; reason: string } | undefined {
  const { info } = candidate;
  const label = `series ${info.seriesNumber ?? info.seriesInstanceUid}`;
  if (info.modality !== rules.modality) return { rule: 'modality', reason: `${label} is ${info.modality || 'of unknown modality'}, not ${rules.modality}` };
  const assessed = assessSeries(candidate);
  if (assessed.sliceCount < rules.minSlices) return { rule: 'minSlices', reason: `${label} has ${assessed.sliceCount} slices (< ${rules.minSlices})` };
  if ((assessed.sliceThicknessMm ?? Infinity) > rules.maxSliceThicknessMm) {
    return { rule: 'maxSliceThicknessMm', reason: `${label} has ${assessed.sliceThicknessMm ?? 'unknown'} mm slices (> ${rules.maxSliceThicknessMm} mm)` };
  }
  if (rules.seriesDescriptionPattern && !new RegExp(rules.seriesDescriptionPattern, 'i').test(info.seriesDescription ?? '')) {
    return { rule: 'seriesDescriptionPattern', reason: `${label} description "${info.seriesDescription ?? ''}" does not match /${rules.seriesDescriptionPattern}/i` };
  }
  if (rules.bodyPartPattern && !new RegExp(rules.bodyPartPattern, 'i').test(info.bodyPartExamined ?? '')) {
    return { rule: 'bodyPartPattern', reason: `${label} body part "${info.bodyPartExamined ?? ''}" does not match /${rules.bodyPartPattern}/i` };
  }
  return undefined;
}

/** A study is routed when at least one of its series passes every rule. */
export function evaluateRouting(candidates: readonly SeriesCandidate[], rules: RoutingRules): RoutingDecision {
  const failures = candidates.map((c) => seriesFailure(c, rules));
  if (failures.some((f) => f === undefined)) return { match: true };
  // Report the series that got furthest through the rules: the most useful reason to read.
  const furthest = failures
    .filter((f): f is NonNullable<typeof f> => f !== undefined)
    .sort((a, b) => ruleOrder.indexOf(b.rule) - ruleOrder.indexOf(a.rule))[0];
  return furthest
    ? { match: false, rule: furthest.rule, reason: furthest.reason }
    : { match: false, rule: 'modality', reason: 'study has no series' };
}
