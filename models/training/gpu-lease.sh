#!/usr/bin/env bash
# Training data made, and networks trained, on a lent GPU machine, which has PyTorch but no Node and no LIDC data
# (models/training/README.md, section 2).
#
#   here:        bash models/training/gpu-lease.sh prepare ../shared/data/lidc
#                  -> models/training/runs/gpu (about 46 MB): name it in the device tool's `carry`
#   there:       bash models/training/gpu-lease.sh data /tmp/ds 135 15 [make-dataset options]
#                  -> /tmp/ds: phantom shards made for 135 s on 15 processes, and the LIDC shard;
#                     options given after the four override MIX's and the seed (the last one given wins)
#   there:       bash models/training/gpu-lease.sh train /tmp/ds 4.6 "$OUT"
#                  -> three `view` networks trained side by side for 4.6 min each, their .onnx and .pt
#                     and one log in $OUT (7 files: the device tool returns at most 8); a dry run here:
#                     PYTHON=/usr/bin/python3 STEPS=3 ... train <a small data dir> 0.01 /tmp/out
#
# The phantoms' mix (MIX) is the one of the GPU runs of 2026-11-27 and -28; their seeds start at
# FIRST_SEED, 2026-11-28's (the LIDC shard's random lung points are drawn from it too).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kit="$root/models/training/runs/gpu"
FIRST_SEED=31101
MIX="--jitter 0.8 --classified-ranks 1024 --subsolid-ranks 256 --attached-subsolid 0.25 --small-attached 0.3 --one-millimetre 0.2"

case "${1:-}" in
  prepare)
    lidc="${2:?usage: gpu-lease.sh prepare <LIDC dir>}"
    rm -rf "$kit"; mkdir -p "$kit/node_modules/onnxruntime-node" "$kit/lidc"
    # One file for the dataset code; onnxruntime-node is imported by the modules it shares with the
    # server but never called while making patches, so a stub stands in for its 290 MB of binaries.
    "$root/node_modules/.bin/esbuild" "$root/models/training/make-dataset.ts" --bundle --platform=node --format=esm \
      --target=node20 --external:onnxruntime-node --outfile="$kit/make-dataset.mjs" --log-level=warning \
      --banner:js="import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
    echo '{"name":"onnxruntime-node","version":"0.0.0","type":"module","main":"index.js"}' > "$kit/node_modules/onnxruntime-node/package.json"
    echo 'export const InferenceSession = {}; export class Tensor {}; export default {};' > "$kit/node_modules/onnxruntime-node/index.js"
    node "$kit/make-dataset.mjs" --out "$kit/lidc-shard" --phantoms 0 --phantom-seed "$FIRST_SEED" --lidc "$lidc" --hold-out LIDC-IDRI-0003 $MIX
    xz -T0 -6 -c "$kit/lidc-shard/shard-0/patches.i16" > "$kit/lidc/patches.i16.xz"
    cp "$kit/lidc-shard/shard-0/samples.jsonl" "$kit/lidc-shard/shard-0/geometry.json" "$kit/lidc/"
    rm -rf "$kit/lidc-shard"
    xz -T0 -9 -c "$(command -v node)" > "$kit/node.xz"
    du -sh "$kit"
    ;;
  data)
    out="${2:?usage: gpu-lease.sh data <out dir> <seconds> <processes>}"; seconds="${3:?}"; processes="${4:?}"
    mkdir -p /tmp/lungbridge-node "$out/lidc-0"
    xz -d -c "$kit/node.xz" > /tmp/lungbridge-node/node && chmod +x /tmp/lungbridge-node/node
    xz -T0 -d -c "$kit/lidc/patches.i16.xz" > "$out/lidc-0/patches.i16"
    cp "$kit/lidc/samples.jsonl" "$kit/lidc/geometry.json" "$out/lidc-0/"
    # Each shard stops after `seconds`; make-dataset.ts flushes per scan, so what it wrote reads back whole.
    for ((i = 0; i < processes; i++)); do
      timeout "$seconds" /tmp/lungbridge-node/node "$kit/make-dataset.mjs" --out "$out" --phantoms 5000 --phantom-seed "$FIRST_SEED" \
        --shard "$i/$processes" $MIX "${@:5}" 2> "$out/log-$i.txt" &
    done
    wait || true
    echo "$(cat "$out"/log-*.txt | grep -c 'nodules (') phantoms, $(cat "$out"/*/samples.jsonl | wc -l) patches in $out"
    ;;
  train)
    data="${2:?usage: gpu-lease.sh train <data dir> <minutes> <out dir>}"; minutes="${3:?}"; out="${4:?}"
    work="$(mktemp -d)"; mkdir -p "$out"
    # From scratch at two learning rates and batch sizes, and the committed network continued with
    # the subsolid view as a new channel (train.py, `view`): one call's worth of what the CPU runs
    # could not try (models/training/README.md, section 2).
    train="${PYTHON:-python3} $root/models/training/train.py --data $data --minutes $minutes --steps-per-epoch ${STEPS:-200} --arch view"
    $train --seed 1 --batch 512 --lr 2e-3 --out "$work/view-scratch.onnx" > "$work/view-scratch.txt" 2>&1 &
    $train --seed 2 --batch 256 --lr 1e-3 --out "$work/view-scratch2.onnx" > "$work/view-scratch2.txt" 2>&1 &
    $train --seed 1 --batch 512 --lr 5e-4 --init-onnx "$root/models/lungbridge-nodule-cnn.onnx" --out "$work/view-continued.onnx" > "$work/view-continued.txt" 2>&1 &
    wait || true
    for run in view-scratch view-scratch2 view-continued; do
      echo "== $run"; grep -v '^[ {}]' "$work/$run.txt" | tail -3
      cp "$work/$run.onnx" "$work/$run.pt" "$out/" 2>/dev/null || echo "$run: no model written"
    done
    cat "$work"/*.txt > "$out/train-log.txt"
    ;;
  *)
    sed -n 2,15p "${BASH_SOURCE[0]}"; exit 2 ;;
esac
