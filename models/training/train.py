#!/usr/bin/python3
"""Trains the nodule candidate classifier and exports it to ONNX (see README.md beside this file).

    /usr/bin/python3 models/training/train.py --data models/training/runs/dataset \
        --out models/lungbridge-nodule-cnn.onnx [--minutes 20] [--seed 1]

Reads the shards of make-dataset.ts (int16 HU patches, [z][y][x]), trains a small 3D CNN on
them plus synthetic nodules inserted into the real LIDC lung patches on the fly, and writes the
ONNX model with its manifest in metadata_props. Runs on CPU (Debian python3-torch) or CUDA.
"""
import argparse
import inspect
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MODEL_NAME = 'lungbridge-nodule-cnn'
# 1.6.0 was the ensemble tried on 2026-11-27 and not shipped (models/training/README.md): the next
# network takes 1.7.0, so that one version number names one model.
MODEL_VERSION = '1.7.0'
# Input window: lung and soft tissue; calcium and bone saturate (Hounsfield units).
HU_WINDOW = (-1000.0, 400.0)
# The subsolid view (layout `view`): what is denser than part-solid ground glass reads as aerated
# lung, as in the proposals' subsolid pass (server/src/detect/proposals.ts).
SUBSOLID_VIEW_ABOVE_HU, AERATED_LUNG_HU = -350.0, -850.0


class NoduleNet(nn.Module):
    """3x3x3 conv blocks, strided down to 4^3, and a global pooled head. The HU window is part of
    the graph, so the server feeds raw HU and cannot get the scaling wrong.

    - `base` (every model up to 1.5.0): four blocks, the first strided in-plane at once; about 15 M
      MACs per patch, so a scan's thousand candidates classify in about a second on two cores.
    - `fine`: a first block at the patch's full 1.25 mm in-plane resolution, then the same path;
      about 30 M MACs. A 5 mm nodule on a vessel is four patch voxels across, two after `base`'s
      first stride, where the misses of 1.5.0 are (models/MODEL_CARD.md).
    - `view`: `base` with a second input channel, the patch's subsolid view. 1.5.0's network rates
      the subsolid pass's vessel and airway-wall false positives 0.95-1.00 and scores most of them
      under 0.05 on that view, where ground-glass nodules stay high; the raw channel keeps a
      part-solid nodule's core, which the view removes (model card, Evaluation).
    """

    layouts = {
        'base': [(1, 16, (1, 2, 2)), (16, 24, 2), (24, 48, 2), (48, 64, 1)],
        'fine': [(1, 8, 1), (8, 16, (1, 2, 2)), (16, 24, 2), (24, 48, 2), (48, 64, 1)],
        'view': [(2, 16, (1, 2, 2)), (16, 24, 2), (24, 48, 2), (48, 64, 1)],
    }

    def __init__(self, arch='base'):
        super().__init__()

        def block(cin, cout, stride=1):
            return nn.Sequential(nn.Conv3d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm3d(cout), nn.ReLU(inplace=True))

        self.features = nn.Sequential(*(block(*layer) for layer in self.layouts[arch]))
        self.head = nn.Sequential(nn.Linear(128, 64), nn.ReLU(inplace=True), nn.Dropout(0.2), nn.Linear(64, 1))

    def forward(self, hu):
        lo, hi = HU_WINDOW

        def window(values):
            return (torch.clamp(values, lo, hi) - (lo + hi) / 2) / ((hi - lo) / 2)

        x = window(hu)
        if self.features[0][0].in_channels == 2:
            subsolid = torch.where(hu > SUBSOLID_VIEW_ABOVE_HU, torch.full_like(hu, AERATED_LUNG_HU), hu)
            x = torch.cat([x, window(subsolid)], dim=1)
        x = self.features(x)
        pooled = torch.cat([x.mean(dim=(2, 3, 4)), x.amax(dim=(2, 3, 4))], dim=1)
        return self.head(pooled).squeeze(1)


class Ensemble(nn.Module):
    """Networks of the same inputs whose logits are averaged: networks trained apart err on different
    nodules, so their mean ranks nodules above vessels more often than either (model card)."""

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, hu):
        return torch.stack([member(hu) for member in self.members]).mean(dim=0)


class Probability(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, hu):
        return torch.sigmoid(self.net(hu))


def load_dataset(root):
    """All shards in one array, read in place: a GPU run's dataset is several GB, so no second copy."""
    shards, samples, geometry = [], [], None
    for shard in sorted(os.listdir(root)):
        folder = os.path.join(root, shard)
        if not os.path.exists(os.path.join(folder, 'samples.jsonl')):
            continue
        with open(os.path.join(folder, 'geometry.json')) as f:
            geometry = json.load(f)
        with open(os.path.join(folder, 'samples.jsonl')) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        shards.append((folder, len(lines)))
        samples += lines
    sx, sy, sz = geometry['size']
    patches = np.empty((len(samples), sz, sy, sx), dtype=np.int16)
    start = 0
    for folder, count in shards:
        file = os.path.join(folder, 'patches.i16')
        # A shard stopped mid-scan holds patches beyond its last flushed line: those are not read.
        stored = os.path.getsize(file) // (2 * sx * sy * sz)
        assert count <= stored, f'{folder}: {count} samples for {stored} patches'
        patches[start:start + count] = np.fromfile(file, dtype=np.int16, count=count * sx * sy * sz).reshape(count, sz, sy, sx)
        start += count
    return patches, samples, geometry


def gaussian_kernel(sigma_vox, device):
    radius = max(1, int(math.ceil(2.5 * sigma_vox)))
    t = torch.arange(-radius, radius + 1, dtype=torch.float32, device=device)
    k = torch.exp(-0.5 * (t / sigma_vox) ** 2)
    return k / k.sum()


def blur(volume, sigmas_vox):
    """Separable Gaussian blur of [N, 1, D, H, W] with per-axis sigmas (z, y, x) in voxels."""
    out = volume
    for axis, sigma in enumerate(sigmas_vox):
        k = gaussian_kernel(sigma, volume.device)
        shape = [1, 1, 1, 1, 1]
        shape[2 + axis] = len(k)
        pad = [0, 0, 0, 0, 0, 0]
        pad[2 * (2 - axis)] = pad[2 * (2 - axis) + 1] = len(k) // 2
        out = F.conv3d(F.pad(out, pad, mode='replicate'), k.view(shape))
    return out


def insert_nodules(backgrounds, spacing_zyx, generator):
    """Synthetic nodules blended into real lung patches (HU, [N, 1, D, H, W]).

    Each nodule is a lobulated ellipsoid of 3-30 mm (log-uniform), solid, part-solid or ground-glass,
    near the patch centre. Its occupancy of each voxel has a one-voxel soft edge (partial volume),
    is blurred by the scanner's point spread and slice profile, and is added as a contrast against
    the smoothed local background: the real patch's noise and texture stay, as in a real scan.
    """
    n = backgrounds.shape[0]
    device = backgrounds.device
    d, h, w = backgrounds.shape[2:]
    sz, sy, sx = spacing_zyx
    z = (torch.arange(d, device=device) - (d - 1) / 2) * sz
    y = (torch.arange(h, device=device) - (h - 1) / 2) * sy
    x = (torch.arange(w, device=device) - (w - 1) / 2) * sx
    zz, yy, xx = torch.meshgrid(z, y, x, indexing='ij')
    rand = lambda *shape: torch.rand(*shape, generator=generator).to(device)
    diameter = torch.exp(math.log(3) + rand(n) * (math.log(30) - math.log(3)))
    radius = diameter / 2
    kind = (rand(n) * 3).floor()  # 0 solid, 1 part-solid, 2 ground-glass
    radius = torch.where(kind > 0, torch.clamp(radius, min=2.5), radius)
    shift = (rand(n, 3) * 2 - 1) * torch.clamp(radius * 0.4, max=3.0).unsqueeze(1)
    axes = 0.8 + rand(n, 3) * 0.4
    # A random rotation per nodule (QR of a Gaussian matrix).
    rotation, _ = torch.linalg.qr(torch.randn(n, 3, 3, generator=generator))
    rotation = rotation.to(device)
    p = torch.stack([zz, yy, xx], dim=-1).view(1, -1, 3) - shift.view(n, 1, 3)
    local = torch.einsum('nij,npj->npi', rotation, p) / axes.view(n, 1, 3)
    dist = local.norm(dim=-1) + 1e-6
    unit = local / dist.unsqueeze(-1)
    # Lobulation: a few low-order harmonics of the direction modulate the radius by up to ~20 %.
    lobes = torch.zeros_like(dist)
    for _ in range(3):
        direction = F.normalize(torch.randn(n, 1, 3, generator=generator), dim=-1).to(device)
        freq = 1 + (rand(n, 1) * 3).floor()
        phase = rand(n, 1) * 2 * math.pi
        lobes += 0.07 * rand(n, 1) * torch.cos(freq * math.pi * (unit * direction).sum(-1) + phase)
    surface = radius.view(n, 1) * (1 + lobes)
    edge = min(sx, sy, sz)
    occupancy = torch.clamp((surface - dist) / edge + 0.5, 0, 1).view(n, 1, d, h, w)
    core_radius = radius * (0.3 + 0.3 * rand(n))
    core = torch.clamp((core_radius.view(n, 1) * (1 + lobes) - dist) / edge + 0.5, 0, 1).view(n, 1, d, h, w)
    solid_hu = -40 + rand(n) * 110
    ggo_hu = -720 + rand(n) * 330
    nodule_hu = torch.where(kind == 0, solid_hu, ggo_hu).view(n, 1, 1, 1, 1)
    # Scanner point spread (~0.6-1.0 mm in-plane) and a slice profile of about one slice.
    psf = (0.6 + 0.4 * float(rand(1))) / sy, (0.6 + 0.4 * float(rand(1))) / sx
    sigmas = (0.45, psf[0], psf[1])
    occupancy = blur(occupancy, sigmas)
    core = blur(core, sigmas) * (kind == 1).float().view(n, 1, 1, 1, 1)
    local_mean = blur(backgrounds, (1.5, 2.5, 2.5))
    out = backgrounds + occupancy * (nodule_hu - local_mean)
    out = out + core * (solid_hu.view(n, 1, 1, 1, 1) - nodule_hu)
    return out, diameter


def augment(batch, generator, noise_generator):
    """Flips of each axis, an x/y swap (square pixels), and a small HU shift and extra noise."""
    if float(torch.rand(1, generator=generator)) < 0.5:
        batch = batch.flip(4)
    if float(torch.rand(1, generator=generator)) < 0.5:
        batch = batch.flip(3)
    if float(torch.rand(1, generator=generator)) < 0.5:
        batch = batch.flip(2)
    if float(torch.rand(1, generator=generator)) < 0.5:
        batch = batch.transpose(3, 4)
    n = batch.shape[0]
    shift = (torch.rand(n, 1, 1, 1, 1, generator=generator) * 40 - 20).to(batch.device)
    sigma = (torch.rand(n, 1, 1, 1, 1, generator=generator) * 15).to(batch.device)
    noise = torch.randn(batch.shape, generator=noise_generator, device=batch.device) * sigma
    return batch + shift + noise


def translate(batch, max_shift_zyx, generator):
    """Each patch moved by a random whole number of voxels, up to max_shift_zyx per axis, edges replicated.

    A proposal lies a voxel or two off a small nodule's centre; without this augmentation the
    network's score for a 6 mm ground-glass nodule on a vessel went from 0.07 to 0.75 between
    neighbouring patch centres (models/MODEL_CARD.md); a whole-voxel move keeps the interpolation
    phase, so the patch is one the sampler could have cut.
    """
    if not any(max_shift_zyx):
        return batch
    n = batch.shape[0]
    device = batch.device
    # A move by d with the edges replicated reads index clamp(i + d): one gather for the whole batch.
    index = []
    for m, length in zip(max_shift_zyx, batch.shape[2:]):
        offset = torch.randint(-m, m + 1, (n, 1), generator=generator).to(device)
        index.append(torch.clamp(torch.arange(length, device=device).view(1, -1) + offset, 0, length - 1))
    iz, iy, ix = index
    rows = torch.arange(n, device=device).view(n, 1, 1, 1)
    return batch[:, 0][rows, iz.view(n, -1, 1, 1), iy.view(n, 1, -1, 1), ix.view(n, 1, 1, -1)].unsqueeze(1)


def roc_auc(scores, labels):
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / max(1, n_pos * n_neg)


class PatchBank:
    """The int16 patches where the network runs: on a GPU the whole set is uploaded once,
    so a step gathers its batch there instead of copying it from host memory."""

    def __init__(self, patches, device):
        self.device = device
        self.data = torch.from_numpy(patches).to(device)

    def take(self, idx):
        """Float HU patches [n, 1, z, y, x] for sample indices (a numpy array)."""
        return self.data[torch.from_numpy(np.asarray(idx)).to(self.device)].float().unsqueeze(1)


def predict(net, bank, idx, batch=1024, transform=lambda x: x):
    net.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(idx), batch):
            out.append(torch.sigmoid(net(transform(bank.take(idx[start:start + batch])))).cpu().numpy())
    return np.concatenate(out)


def export(net, geometry, summary, path):
    sx, sy, sz = geometry['size']
    model = Probability(net).eval().cpu()
    example = torch.zeros(2, 1, sz, sy, sx)
    # The TorchScript exporter (torch >= 2.9 defaults to the dynamo one, which needs onnxscript).
    legacy = {'dynamo': False} if 'dynamo' in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(
        model, example, path, opset_version=17, input_names=['patches'], output_names=['probability'],
        dynamic_axes={'patches': {0: 'batch'}, 'probability': {0: 'batch'}}, do_constant_folding=True, **legacy,
    )
    manifest = {
        'name': MODEL_NAME,
        'version': MODEL_VERSION,
        'task': 'lung nodule candidate classification (false-positive reduction) on chest CT',
        'input': 'patches: float32 [batch, 1, z, y, x] in Hounsfield units, centred on the candidate, '
                 'resampled to patch_spacing_mm (box-averaged linear), edges replicated',
        'patch_size': f'{sx},{sy},{sz}',
        'patch_spacing_mm': ','.join(str(s) for s in geometry['spacingMm']),
        'hu_window': f'{HU_WINDOW[0]:g},{HU_WINDOW[1]:g}',
        'output': 'probability: float32 [batch], probability that the patch centre lies in a nodule >= 3 mm',
        'training_data': summary,
        'license': 'MIT (weights); LIDC-IDRI data CC BY 3.0',
    }
    try:
        import onnx
    except ImportError:
        # A training machine without the onnx package (a bare CUDA box): the metadata goes beside
        # the model, to be written in with set-metadata.py where onnx is installed.
        with open(path + '.metadata.json', 'w') as f:
            json.dump(manifest, f, indent=2)
        return manifest
    onnx_model = onnx.load(path)
    del onnx_model.metadata_props[:]
    for key, value in manifest.items():
        entry = onnx_model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx_model.producer_name = 'lungbridge models/training/train.py'
    onnx.checker.check_model(onnx_model)
    onnx.save(onnx_model, path)
    return manifest


def with_input_channels(weight, channels):
    """A conv weight with `channels` input channels, the added ones at zero weight: a network continued
    in a layout with more inputs (`view` for `base`) starts as the network it continues."""
    extra = channels - weight.shape[1]
    return torch.cat([weight, weight.new_zeros(weight.shape[0], extra, *weight.shape[2:])], dim=1) if extra else weight


def load_onnx_weights(net, model):
    """Warm start from an exported model (an onnx ModelProto): the exporter fused each BatchNorm into
    its conv, so the conv takes the fused weight and its BatchNorm becomes the identity plus the fused
    bias (and is kept in eval mode while training: see frozen_batch_norm). A network with more input
    channels than the model (a `base` model continued as `view`) gets the extra ones at zero weight,
    so it starts as the model it continues."""
    from onnx import numpy_helper

    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
    convs = [n for n in model.graph.node if n.op_type == 'Conv']
    gemms = [n for n in model.graph.node if n.op_type == 'Gemm']
    with torch.no_grad():
        for block, node in zip(net.features, convs):
            conv, bn = block[0], block[1]
            conv.weight.copy_(with_input_channels(weights[node.input[1]], conv.in_channels))
            bn.weight.fill_(1.0)
            bn.bias.copy_(weights[node.input[2]])
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
        for layer, node in zip([net.head[0], net.head[3]], gemms):
            layer.weight.copy_(weights[node.input[1]])
            layer.bias.copy_(weights[node.input[2]])
    net.frozen_batch_norm = True


def load_network(path, device='cpu', widen_to=None):
    """A saved NoduleNet: an exported model (.onnx, batch norm fused) or a state train.py saved (.pt),
    in the layout with as many conv blocks and input channels as the file holds. Returns the network
    and its layout. `widen_to` names a layout that differs from the file's only by more input
    channels (`view` for a `base` file): the network is built in that layout, the extra channels at
    zero weight, so that it starts as the file's network."""
    if path.endswith('.onnx'):
        import onnx
        from onnx import numpy_helper
        model = onnx.load(path)
        convs = [node for node in model.graph.node if node.op_type == 'Conv']
        blocks = len(convs)
        dense = sum(node.op_type == 'Gemm' for node in model.graph.node)
        first = next((i for i in model.graph.initializer if i.name == convs[0].input[1]), None) if convs else None
        channels = numpy_helper.to_array(first).shape[1] if first is not None else 0
    else:
        state = torch.load(path, map_location=device)
        blocks = len({key.split('.')[1] for key in state if key.startswith('features.')})
        dense = 2
        channels = state['features.0.0.weight'].shape[1] if 'features.0.0.weight' in state else 0
    layouts = [name for name, layers in NoduleNet.layouts.items() if len(layers) == blocks and layers[0][0] == channels]
    if dense != 2 or not layouts:
        raise ValueError(f'{path}: {blocks} convolutions ({channels} input channels) and {dense} dense layers, not one NoduleNet '
                         f'(layouts: {", ".join(f"{n} {len(l)} ({l[0][0]})" for n, l in NoduleNet.layouts.items())}; an ensemble?)')
    layout = layouts[0]
    if widen_to and widen_to != layout:
        own, wider = NoduleNet.layouts[layout], NoduleNet.layouts[widen_to]
        if own[1:] != wider[1:] or own[0][1:] != wider[0][1:] or wider[0][0] < own[0][0]:
            raise ValueError(f'{path} is a {layout} network: it cannot be continued as {widen_to}, '
                             'which differs by more than input channels')
        layout = widen_to
    net = NoduleNet(layout).to(device)
    if path.endswith('.onnx'):
        load_onnx_weights(net, model)
    else:
        state['features.0.0.weight'] = with_input_channels(state['features.0.0.weight'], net.features[0][0].in_channels)
        net.load_state_dict(state)
    return net, layout


def train_mode(net):
    net.train()
    if getattr(net, 'frozen_batch_norm', False):
        for module in net.modules():
            if isinstance(module, nn.BatchNorm3d):
                module.eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default='models/training/runs/dataset')
    parser.add_argument('--out', default='models/lungbridge-nodule-cnn.onnx')
    parser.add_argument('--minutes', type=float, default=20)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--steps-per-epoch', type=int, default=60)
    parser.add_argument('--lr', type=float, default=2e-3)
    parser.add_argument('--init', help='state_dict (.pt) to continue training from')
    parser.add_argument('--init-onnx', help='exported model to continue training from')
    parser.add_argument('--hard-negatives', type=float, default=0.5, help='share of negatives drawn from the hardest scored ones')
    parser.add_argument('--shift', default='0,0,0',
                        help='z,y,x: the most voxels a training patch is moved by (translate); validation is also scored so moved')
    parser.add_argument('--arch', choices=sorted(NoduleNet.layouts),
                        help='network layout (NoduleNet): base for a new network; one continued (--init, --init-onnx) keeps its own, '
                             'or takes one that only adds input channels (view for base)')
    parser.add_argument('--validation-scans', type=int, default=4, help='phantom scans held out for validation')
    args = parser.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    # The per-voxel noise is drawn where the batch lives: drawn on the host it was a GPU step's bottleneck.
    noise_generator = torch.Generator(device=device).manual_seed(args.seed)
    torch.backends.cudnn.benchmark = True
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    if args.init and args.init_onnx:
        parser.error('--init and --init-onnx: continue from one model')
    if args.init or args.init_onnx:
        try:
            net, layout = load_network(args.init or args.init_onnx, device, widen_to=args.arch)
        except ValueError as error:
            parser.error(str(error))
        args.arch = layout
        print(f'continuing from {args.init or args.init_onnx} ({layout} layout'
              + (', batch norm frozen as the fused bias)' if args.init_onnx else ')'), flush=True)
    else:
        args.arch = args.arch or 'base'
        net = NoduleNet(args.arch).to(device)

    patches, samples, geometry = load_dataset(args.data)
    bank = PatchBank(patches, device)
    del patches  # on a GPU the bank holds the only copy needed
    sx, sy, sz = geometry['size']
    spacing_zyx = tuple(reversed(geometry['spacingMm']))
    labels = np.array([s['label'] for s in samples], dtype=np.int64)
    scans = np.array([s['scan'] for s in samples])
    phantom_scans = sorted({s['scan'] for s in samples if s['source'] == 'phantom'})
    validation = set(phantom_scans[-args.validation_scans:])
    is_val = np.isin(scans, list(validation))
    train_idx = np.where(~is_val)[0]
    # Validation: every held-out positive and at most 1000 of its negatives (validation costs CPU time).
    val_all = np.where(is_val)[0]
    val_neg = val_all[labels[val_all] == 0]
    val_idx = np.concatenate([val_all[labels[val_all] == 1], np.random.RandomState(args.seed).permutation(val_neg)[:1000]])
    lidc_lung = np.array([s['source'] == 'lidc' and s['label'] == 0 and s['kind'] in ('background', 'proposal') for s in samples])
    pos_idx = train_idx[labels[train_idx] == 1]
    neg_idx = train_idx[labels[train_idx] == 0]
    host_idx = train_idx[lidc_lung[train_idx]]
    print(f'{len(samples)} patches ({sx}x{sy}x{sz}); train: {len(pos_idx)} positive, {len(neg_idx)} negative, '
          f'{len(host_idx)} LIDC hosts for inserted nodules; validation scans: {sorted(validation)} ({len(val_idx)} patches); device {device}',
          flush=True)

    optimiser = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    # Each batch: a quarter real/phantom positives, an eighth inserted nodules, the rest negatives:
    # a scan holds a thousand negative proposals for a few nodules, so the negatives need the steps.
    # The LIDC hosts also come in plain, as negatives, as often as with an inserted nodule: otherwise
    # real-CT texture itself would predict "nodule" (the inserted ones are the only LIDC positives).
    max_shift = tuple(int(v) for v in args.shift.split(','))
    n_pos, n_ins = args.batch // 4, args.batch // 8
    n_neg = args.batch - n_pos - 2 * n_ins
    n_hard = int(n_neg * args.hard_negatives)
    hard_idx = neg_idx

    def validation_scores():
        scores = predict(net, bank, val_idx)
        y = labels[val_idx]
        line = (f'validation AUC {roc_auc(scores, y):.4f}, positives >= 0.5: {np.mean(scores[y == 1] >= 0.5):.3f}, '
                f'negatives >= 0.5: {np.mean(scores[y == 0] >= 0.5):.4f}')
        if any(max_shift):
            # The same moves every time, so that the figure is comparable from epoch to epoch.
            moves = torch.Generator().manual_seed(args.seed)
            moved = predict(net, bank, val_idx, transform=lambda x: translate(x, max_shift, moves))
            line += (f', moved: AUC {roc_auc(moved, y):.4f}, positives >= 0.5: {np.mean(moved[y == 1] >= 0.5):.3f}, '
                     f'negatives >= 0.5: {np.mean(moved[y == 0] >= 0.5):.4f}')
        return line

    if args.init or args.init_onnx:
        print(f'before training: {validation_scores()}', flush=True)
    deadline = time.time() + args.minutes * 60
    start = time.time()
    epoch = 0
    history = []
    while time.time() < deadline:
        train_mode(net)
        epoch_loss = 0.0
        for _ in range(args.steps_per_epoch):
            pick_pos = np.random.choice(pos_idx, n_pos)
            pick_neg = np.concatenate([np.random.choice(hard_idx, n_hard), np.random.choice(neg_idx, n_neg - n_hard)])
            pick_host = np.random.choice(host_idx, n_ins)
            pick_plain = np.random.choice(host_idx, n_ins)
            real = bank.take(np.concatenate([pick_pos, pick_neg, pick_plain]))
            hosts = bank.take(pick_host)
            inserted, _ = insert_nodules(hosts, spacing_zyx, generator)
            x = augment(translate(torch.cat([real, inserted]), max_shift, generator), generator, noise_generator)
            y = torch.cat([torch.ones(n_pos), torch.zeros(n_neg + n_ins), torch.ones(n_ins)]).to(device)
            progress = min(1.0, (time.time() - start) / (args.minutes * 60))
            for group in optimiser.param_groups:
                group['lr'] = args.lr * 0.5 * (1 + math.cos(math.pi * progress)) + 2e-5
            loss = F.binary_cross_entropy_with_logits(net(x), y)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            epoch_loss += loss.item()
        epoch += 1
        # Hard-negative mining: the quarter of a random 2048 training negatives that now score highest.
        probe = np.random.choice(neg_idx, min(2048, len(neg_idx)), replace=False)
        probe_scores = predict(net, bank, probe)
        hard_idx = probe[np.argsort(-probe_scores)[:len(probe) // 4]]
        line = f'epoch {epoch} ({time.time() - start:.0f} s): loss {epoch_loss / args.steps_per_epoch:.4f}, {validation_scores()}'
        history.append(line)
        print(line, flush=True)

    n_lidc = len({s['scan'] for s in samples if s['source'] == 'lidc'})
    summary = (f'{len(phantom_scans) - len(validation)} seeded Lungbridge phantoms (5 nodules each, 3-30 mm, solid/part-solid/ground-glass) '
               f'and {n_lidc} LIDC-IDRI slab(s) ({", ".join(sorted({s["scan"] for s in samples if s["source"] == "lidc"}))}: '
               f'reference nodules, blob-proposal and random-lung negatives, synthetic nodules inserted into its lung); '
               f'held out: {geometry.get("heldOut", "")}; {len(pos_idx)} positive and {len(neg_idx)} negative patches, '
               f'seed {args.seed}, {epoch} epochs of {args.steps_per_epoch} x {args.batch}, layout {args.arch}'
               + (f', patches moved by up to {args.shift} voxels (z,y,x)' if any(max_shift) else '')
               + (f', continued from {os.path.basename(args.init_onnx)}' if args.init_onnx else ''))
    os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
    torch.save(net.state_dict(), os.path.splitext(args.out)[0] + '.pt')
    manifest = export(net, geometry, summary, args.out)
    print(json.dumps(manifest, indent=2))
    with open(os.path.splitext(args.out)[0] + '.training-log.txt', 'w') as f:
        f.write('\n'.join(history) + '\n')


if __name__ == '__main__':
    main()
