"""The network of src/detection/model/fastRcnn.ts as a torch.nn.Module, and our model files.

Parameter names and layouts are ours (conv1_1.weight [out, in, 3, 3], fc6.weight [out, in], ...), so a
model file's tensors load by name and a state_dict saves back as it is. A model file holds bbox_pred
with the target normalization folded in: the loaded network predicts raw box deltas.
"""

import json
from collections import namedtuple

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.ops import roi_pool

from .safetensors_io import load_file, save_file

MODEL_FORMAT = "fastrcnn-model"
MODEL_VERSION = "1"

# What a config may hold. A key outside these is a setting this twin cannot reproduce (the engine
# grew an option): refused, never ignored, so that detections are never silently different.
_MODEL_KEYS = {"backbone", "roiPoolSize", "fc", "dropout", "init", "svd"}
_BACKBONE_KEYS = {"stages", "trainFrom", "norm"}
_NORMS = {"none", "instance"}


def conv_names(stages):
    """conv<stage>_<index>, 1-based, as VGG's (config.ts convNames)."""
    return [f"conv{i + 1}_{j + 1}" for i, stage in enumerate(stages) for j in range(len(stage))]


def check_model_config(m):
    """The model section of a config, checked for what this twin builds; returns it."""
    unknown = set(m) - _MODEL_KEYS
    if unknown:
        raise ValueError(f"fastrcnn_torch does not support model setting(s) {sorted(unknown)} (knows {sorted(_MODEL_KEYS)})")
    missing = {"backbone", "roiPoolSize", "fc"} - set(m)
    if missing:
        raise ValueError(f"model config lacks {sorted(missing)}")
    b = m["backbone"]
    unknown = set(b) - _BACKBONE_KEYS
    if unknown:
        raise ValueError(f"fastrcnn_torch does not support model.backbone setting(s) {sorted(unknown)}")
    if b.get("norm", "none") not in _NORMS:
        raise ValueError(f"model.backbone.norm {b.get('norm')!r} is not supported (fastrcnn_torch knows {sorted(_NORMS)})")
    if not b["stages"] or not all(b["stages"]):
        raise ValueError("model.backbone.stages needs at least one stage of at least one conv")
    return m


class ChannelNorm(nn.Module):
    """Instance norm with a learned scale and shift (fastRcnn.ts ChannelNorm): biased variance, eps 1e-5."""

    def __init__(self, channels, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        return F.instance_norm(x, weight=self.weight, bias=self.bias, eps=self.eps)


class SvdLinear(nn.Module):
    """A truncated-SVD fc layer (compress.ts): x·Lᵀ then ·Uᵀ + b, as two registered Linears <fc>_L and <fc>_U."""

    def __init__(self, L, U):
        super().__init__()
        self.L, self.U = L, U

    def forward(self, x):
        return self.U(self.L(x))


class FastRCNN(nn.Module):
    """The Fast R-CNN network of a config's `model` section and a class list (background implicit, index 0)."""

    def __init__(self, model_config, classes):
        super().__init__()
        m = check_model_config(model_config)
        if not classes or len(set(classes)) != len(classes) or "__background__" in classes:
            raise ValueError(f"classes must be distinct names without '__background__', got {classes}")
        self.model_config = json.loads(json.dumps(m))
        self.classes = list(classes)
        self.num_classes = len(classes) + 1
        stages, norm = m["backbone"]["stages"], m["backbone"].get("norm", "none")
        self.stride = 2 ** (len(stages) - 1)
        self.conv_names = conv_names(stages)
        # registration order = our namedParameters() order: conv, its norm, next conv, ..., fc6, fc7, heads
        self.convs, self.norms, self.stage_ends = [], [], set()
        in_c, k = 3, 0
        for s, stage in enumerate(stages):
            for out_c in stage:
                name = self.conv_names[k]
                conv = nn.Conv2d(in_c, out_c, 3, padding=1, bias=norm == "none")
                self.add_module(name, conv)
                self.convs.append(conv)
                if norm == "instance":
                    self.add_module(f"{name}_norm", ChannelNorm(out_c))
                    self.norms.append(getattr(self, f"{name}_norm"))
                in_c, k = out_c, k + 1
            if s < len(stages) - 1:
                self.stage_ends.add(k - 1)
        ph, pw = m["roiPoolSize"]
        self.pool_size = (ph, pw)
        svd = m.get("svd", [0, 0])
        # fc6/fc7 are registered by _fc under our names; the attribute is set past nn.Module so that an
        # SVD pair is not registered a second time as fc6.L / fc6.U
        object.__setattr__(self, "fc6", self._fc("fc6", in_c * ph * pw, m["fc"][0], svd[0]))
        object.__setattr__(self, "fc7", self._fc("fc7", m["fc"][0], m["fc"][1], svd[1]))
        self.cls_score = nn.Linear(m["fc"][1], self.num_classes)
        self.bbox_pred = nn.Linear(m["fc"][1], 4 * self.num_classes)
        self.dropout = float(m.get("dropout", 0))

    def _fc(self, name, in_f, out_f, rank):
        if not rank:
            layer = nn.Linear(in_f, out_f)
            self.add_module(name, layer)
            return layer
        L, U = nn.Linear(in_f, rank, bias=False), nn.Linear(rank, out_f)
        self.add_module(f"{name}_L", L)
        self.add_module(f"{name}_U", U)
        return SvdLinear(L, U)  # not registered: its layers are, under our names

    def features(self, images):
        """Conv features [N, C, H/stride, W/stride] of normalized images [N, 3, H, W]."""
        h = images
        for j, conv in enumerate(self.convs):
            h = conv(h)
            if self.norms:
                h = self.norms[j](h)
            h = F.relu(h)
            if j in self.stage_ends:
                h = F.max_pool2d(h, 2, 2)
        return h

    def pool(self, features, rois):
        """RoI max pooling of rois [R, 5] = (batch, x1, y1, x2, y2) in input pixels: [R, C·ph·pw].

        torchvision's roi_pool has our kernel's conventions (assembly/roi_pool.ts): coordinates times
        the spatial scale rounded half away from zero, the +1 size, float32 bin sizes, bins
        [floor(i·b), ceil((i+1)·b)) clipped to the map, an empty bin 0. The scale is 1/2^k, exact in
        float32 and float64 alike, so both round the same coordinates.
        """
        return roi_pool(features, rois, self.pool_size, 1.0 / self.stride).flatten(1)

    def head(self, pooled):
        """fc6 → fc7 → (cls_score logits [R, K+1], bbox_pred deltas [R, 4(K+1)]); dropout only in training."""
        h = F.dropout(F.relu(self.fc6(pooled)), self.dropout, self.training)
        h = F.dropout(F.relu(self.fc7(h)), self.dropout, self.training)
        return self.cls_score(h), self.bbox_pred(h)

    def forward(self, images, rois):
        """The whole network on a batch of equally sized images [N, 3, H, W] and rois [R, 5] (batch index first)."""
        return self.head(self.pool(self.features(images), rois))


# A model file: the network (in eval mode), its full config (a dict, as stored) and its metadata.
LoadedModel = namedtuple("LoadedModel", "model config metadata")


def load_model(path):
    """The network, config and metadata of one of our model files; every check names the file."""
    tensors, metadata = load_file(path)
    if metadata.get("format") != MODEL_FORMAT:
        raise ValueError(f"{path}: not a Fast R-CNN model file (format {metadata.get('format', 'none')!r})")
    if metadata.get("version") != MODEL_VERSION:
        raise ValueError(f"{path}: model file version {metadata.get('version')!r}, fastrcnn_torch reads {MODEL_VERSION}")
    try:
        classes, config = json.loads(metadata["classes"]), json.loads(metadata["config"])
        model = FastRCNN(config["model"], classes)
    except (KeyError, ValueError, TypeError) as e:
        raise ValueError(f"{path}: bad metadata: {e}") from e
    own = model.state_dict()
    missing = [n for n in own if n not in tensors]
    extra = [n for n in tensors if n not in own]
    if missing or extra:
        raise ValueError(f"{path}: weights do not match its config: missing {missing[:5]}, unexpected {extra[:5]}")
    for name, t in tensors.items():
        if tuple(t.shape) != tuple(own[name].shape):
            raise ValueError(f"{path}: weight '{name}' is {list(t.shape)}, its config asks for {list(own[name].shape)}")
        if t.dtype != torch.float32:
            raise ValueError(f"{path}: weight '{name}' is {t.dtype}, a model file holds float32")
    model.load_state_dict(tensors)
    model.eval()
    return LoadedModel(model, config, metadata)


def save_model(model, config, path, metadata=None):
    """Writes `model` as our model file: its weights by name, the classes and `config` (its model section
    set from the network), for `fastrcnn detect`, `fastrcnn test`, `train --init-from` and the library."""
    cfg = json.loads(json.dumps(config))
    cfg["model"] = json.loads(json.dumps(model.model_config))
    meta = dict(metadata or {})
    meta.update(
        format=MODEL_FORMAT, version=MODEL_VERSION, classes=json.dumps(model.classes), config=json.dumps(cfg)
    )
    tensors = {n: t.detach().float().cpu() for n, t in model.state_dict().items()}
    bad = [n for n, t in tensors.items() if not torch.isfinite(t).all()]
    if bad:
        raise ValueError(f"cannot save: weight(s) {bad[:5]} hold NaN or Inf")
    save_file(tensors, path, meta)
