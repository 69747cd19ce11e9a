#!/usr/bin/python3
"""Builds one ONNX model whose probability is the sigmoid of its member networks' mean logit.

    /usr/bin/python3 models/training/ensemble.py --out models/lungbridge-nodule-cnn.onnx \\
        --member runs/v14mm/network.onnx --member runs/v16/scratch.pt --summary '...'

A member is an exported model (.onnx: batch norm fused, as `--init-onnx` loads it) or a PyTorch
state saved by train.py (.pt). The file carries the same manifest as train.py writes (metadata_props);
the second stage is then fitted on it (fit-second-stage.py), as for a single network. The patch
grid is read from the members' manifests.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import Ensemble, export, load_network  # noqa: E402


def member_manifest(path):
    """The manifest export() wrote for a member: in its .onnx (for a .pt, the .onnx train.py wrote
    beside it), or in the .metadata.json left beside that where onnx was not installed."""
    model = os.path.splitext(path)[0] + '.onnx'
    if os.path.exists(model + '.metadata.json'):
        with open(model + '.metadata.json') as f:
            return json.load(f)
    if not os.path.exists(model):
        sys.exit(f'{path}: no {model} beside it to read its patch grid from')
    import onnx
    return {p.key: p.value for p in onnx.load(model).metadata_props}


def patch_geometry(paths):
    """The patch grid every member was trained on, read from their manifests; members trained on
    different grids cannot be averaged."""
    grids = {(m['patch_size'], m['patch_spacing_mm']) for m in map(member_manifest, paths)}
    if len(grids) != 1:
        sys.exit(f'the members were trained on different patch grids: {sorted(grids)}')
    size, spacing = grids.pop()
    return {'size': json.loads(f'[{size}]'), 'spacingMm': json.loads(f'[{spacing}]')}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--member', action='append', required=True, help='.onnx or .pt of one NoduleNet (two or more)')
    parser.add_argument('--summary', required=True, help="the manifest's training_data: what each member was trained on")
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    if len(args.member) < 2:
        parser.error('an ensemble needs two members or more')
    net = Ensemble([load_network(path)[0] for path in args.member]).eval()
    manifest = export(net, patch_geometry(args.member), args.summary, args.out)
    print(f"{args.out}: {manifest['name']} {manifest['version']}, {len(args.member)} members")


if __name__ == '__main__':
    main()
