"""Fits the trained detector's second stage and writes its weights into the ONNX file's metadata.

    /usr/bin/python3 models/training/fit-second-stage.py \
        --train models/training/runs/stage2-seed2.jsonl models/training/runs/stage2-seed3.jsonl ... \
        --check models/training/runs/stage2-seed1.jsonl \
        --onnx models/lungbridge-nodule-cnn.onnx --version 1.1.0

Input: the JSON lines of second-stage-features.ts. A logistic regression (scikit-learn, L2, C=1,
positives weighted 5:1 because a miss costs more than a false alarm at screening) on the same
features, in the same order and scaling, as `secondStageScore` in
server/src/inference/model-detector.ts. Ambiguous proposals (label null) are left out.
--check prints an approximate FROC on other scans (per-scan suppression of candidates within
10 mm, as the pipeline merges them); `lungbridge eval` is the measurement of record.
--reported-at P moves the fitted probability P to 0.5 (the pipeline reports candidates >= 0.5).
With --onnx, the weights go into its metadata_props as `second_stage` and `version` is set.
"""
import argparse
import json
import math

import numpy as np
from sklearn.linear_model import LogisticRegression

WEIGHTS = ['networkLogit', 'blobScoreLogit', 'blobness', 'response', 'centreHu', 'logScaleDiameter', 'subsolidPass',
           'subsolidResponse', 'segmented', 'logMaskDiameter', 'roundness', 'touchesBox', 'strandsPerSize']
FP_RATES = [1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8]


def logit(p):
    q = min(1 - 1e-6, max(1e-6, p))
    return math.log(q / (1 - q))


def features(row):
    seg = row['segmented']
    subsolid = row.get('pass') == 'subsolid'
    values = [logit(row['networkProbability']), logit(row['blobScore']), row['blobness'],
              (row['response'] - 300) / 200, (row['centreHu'] + 600) / 200, math.log(row['diameterMm']),
              1 if subsolid else 0, (row['response'] - 150) / 50 if subsolid else 0]
    if seg is None:
        return values + [0, 0, 0, 0, 0]
    d = seg['equivalentDiameterMm']
    return values + [1, math.log(min(30, max(1, d))), seg['roundness'], 1 if seg['touchesBox'] else 0,
                     min(3, seg['strands']) * 8 / max(8, d)]


def load(paths):
    proposals, references = [], []
    for path in paths:
        for line in open(path):
            row = json.loads(line)
            (references if 'reference' in row else proposals).append(row)
    return proposals, references


def froc(proposals, references, score, min_diameter_mm=4, merge_mm=10):
    scans = {r['scan'] for r in references} | {p['scan'] for p in proposals}
    detections = []
    for scan in scans:
        kept = []
        for p in sorted((p for p in proposals if p['scan'] == scan), key=lambda p: -score(p)):
            at = np.array([p['atMm'][a] for a in 'xyz'])
            if any(np.linalg.norm(at - k) < merge_mm for k in kept):
                continue
            kept.append(at)
            detections.append((score(p), p))
    targets = {r['reference'] for r in references if r['diameterMm'] >= min_diameter_mm}
    hit, fp, points = set(), 0, []
    for s, p in sorted(detections, key=lambda d: -d[0]):
        if p['label'] == 1:
            if p['nodule'] in targets:
                hit.add(p['nodule'])
        elif p['label'] == 0:
            fp += 1
        points.append((fp / len(scans), len(hit) / max(1, len(targets))))
    sens = [max([se for rate, se in points if rate <= f], default=0) for f in FP_RATES]
    return {'sensitivity_at': dict(zip(['1/8', '1/4', '1/2', '1', '2', '4', '8'], [round(s, 3) for s in sens])),
            'cpm': round(float(np.mean(sens)), 3), 'nodules': len(targets), 'scans': len(scans)}


def reported(proposals, references, score, threshold, merge_mm=10):
    """False positives per scan and nodules hit among the candidates scored >= threshold (merged as in froc)."""
    scans = {r['scan'] for r in references} | {p['scan'] for p in proposals}
    fp, hit = 0, set()
    for scan in scans:
        kept = []
        for p in sorted((p for p in proposals if p['scan'] == scan), key=lambda p: -score(p)):
            if score(p) < threshold:
                break
            at = np.array([p['atMm'][a] for a in 'xyz'])
            if any(np.linalg.norm(at - k) < merge_mm for k in kept):
                continue
            kept.append(at)
            fp += p['label'] == 0
            if p['label'] == 1:
                hit.add(p['nodule'])
    return {'fp_per_scan': round(fp / len(scans), 2), 'hit': len(hit), 'nodules': len(references)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--train', nargs='+', required=True)
    parser.add_argument('--check', nargs='*', default=[])
    parser.add_argument('--onnx')
    parser.add_argument('--version')
    parser.add_argument('--reported-at', type=float, default=0.5,
                        help='fitted probability that becomes 0.5, the pipeline\'s reporting threshold (shifts the intercept)')
    args = parser.parse_args()

    proposals, _ = load(args.train)
    labelled = [p for p in proposals if p['label'] is not None]
    x = np.array([features(p) for p in labelled])
    y = np.array([p['label'] for p in labelled])
    model = LogisticRegression(C=1.0, max_iter=5000, class_weight={0: 1, 1: 5}).fit(x, y)
    # The 5:1 weighting inflates the fitted probabilities: the reporting point is chosen on the
    # training scans and moved to 0.5 by the intercept, so the detector's 0.5 means "report".
    shift = math.log(args.reported_at / (1 - args.reported_at))
    weights = {'intercept': round(float(model.intercept_[0]) - shift, 4),
               **{name: round(float(w), 4) for name, w in zip(WEIGHTS, model.coef_[0])}}
    print(f'fitted on {len(labelled)} proposals ({int(y.sum())} on nodules) of {len(args.train)} file(s)')
    print(json.dumps(weights))

    def second_stage(p):
        z = weights['intercept'] + sum(weights[name] * v for name, v in zip(WEIGHTS, features(p)))
        return 1 / (1 + math.exp(-z))

    train_references = load(args.train)[1]
    for source in sorted({p['source'] for p in proposals}):
        of_source = [p for p in proposals if p['source'] == source]
        refs = [r for r in train_references if r['source'] == source]
        points = {t: reported(of_source, refs, second_stage, t) for t in (0.5, 0.6, 0.7, 0.8, 0.9)}
        print(f'train, {source}, reported at:', json.dumps(points))

    if args.check:
        check, references = load(args.check)
        print('check, second stage:', json.dumps(froc(check, references, second_stage)))
        print('check, network alone:', json.dumps(froc(check, references, lambda p: p['networkProbability'])))

    if args.onnx:
        import onnx
        model_proto = onnx.load(args.onnx)
        props = {p.key: p.value for p in model_proto.metadata_props}
        props['second_stage'] = json.dumps(weights)
        if args.version:
            props['version'] = args.version
        del model_proto.metadata_props[:]
        for key, value in props.items():
            model_proto.metadata_props.add(key=key, value=value)
        onnx.save(model_proto, args.onnx)
        print(f'wrote second_stage (and version {props["version"]}) into {args.onnx}')


if __name__ == '__main__':
    main()
