"""A torchvision VGG16 (or any state_dict with its names and shapes) as a pretrained start for
`fastrcnn train --init-from`: features.N.weight/bias become conv1_1 ... conv5_3 (the layouts are the
same: [out, in, 3, 3]), and classifier.0 / classifier.3 become fc6 / fc7 when asked (they fit a model
with roiPoolSize [7, 7] and fc [4096, 4096]: fc6 reads the pooled [512, 7, 7] flattened as torchvision
flattens its avgpool output). The file records torchvision's ImageNet pixel normalization, which
--init-from compares with the run's pixelMeans / pixelStds.

    python3 -m fastrcnn_torch.vgg16 --out vgg16.safetensors --pretrained     # torchvision's ImageNet weights
    python3 -m fastrcnn_torch.vgg16 --out vgg16.safetensors --state-dict vgg16.pth [--no-fc]
"""

import argparse
import json
import sys

import torch

from .safetensors_io import save_file

# Index in vgg16().features of each conv (ReLUs and max pools between them).
VGG16_CONVS = {
    "conv1_1": 0, "conv1_2": 2,
    "conv2_1": 5, "conv2_2": 7,
    "conv3_1": 10, "conv3_2": 12, "conv3_3": 14,
    "conv4_1": 17, "conv4_2": 19, "conv4_3": 21,
    "conv5_1": 24, "conv5_2": 26, "conv5_3": 28,
}  # fmt: skip
VGG16_CHANNELS = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
VGG16_FC = {"fc6": (0, 25088, 4096), "fc7": (3, 4096, 4096)}
# torchvision normalizes (x / 255 - mean) / std; ours (x - pixelMeans) / pixelStds on 0..255 pixels.
IMAGENET_PIXEL_MEANS = [123.675, 116.28, 103.53]
IMAGENET_PIXEL_STDS = [58.395, 57.12, 57.375]


def convert_vgg16(state_dict, fc=True):
    """{our name: float32 tensor} of a VGG16 state_dict (keys features.N.* as vgg16().state_dict(), or N.*
    as vgg16().features.state_dict()); fc6/fc7 from classifier.0/3 when `fc` and present."""
    prefix = "features." if any(k.startswith("features.") for k in state_dict) else ""
    out = {}
    in_c = 3
    for (name, i), out_c in zip(VGG16_CONVS.items(), VGG16_CHANNELS):
        for part, shape in (("weight", (out_c, in_c, 3, 3)), ("bias", (out_c,))):
            key = f"{prefix}{i}.{part}"
            if key not in state_dict:
                raise ValueError(f"the state_dict lacks {key} ({name}.{part}); is it a torchvision VGG16?")
            t = state_dict[key]
            if tuple(t.shape) != shape:
                raise ValueError(f"{key} ({name}.{part}) is {list(t.shape)}, VGG16 has {list(shape)}")
            out[f"{name}.{part}"] = t.detach().float().cpu().contiguous()
        in_c = out_c
    if fc and prefix:
        for name, (i, in_f, out_f) in VGG16_FC.items():
            w, b = state_dict.get(f"classifier.{i}.weight"), state_dict.get(f"classifier.{i}.bias")
            if w is None or b is None:
                continue
            if tuple(w.shape) != (out_f, in_f) or tuple(b.shape) != (out_f,):
                raise ValueError(f"classifier.{i} ({name}) is {list(w.shape)}, VGG16 has [{out_f}, {in_f}]")
            out[f"{name}.weight"] = w.detach().float().cpu().contiguous()
            out[f"{name}.bias"] = b.detach().float().cpu().contiguous()
    return out


def save_vgg16_init(state_dict, path, fc=True, source="torchvision vgg16"):
    """Writes convert_vgg16(state_dict) as a safetensors file for --init-from; returns the tensor names."""
    tensors = convert_vgg16(state_dict, fc)
    save_file(
        tensors,
        path,
        {
            "format": "fastrcnn-init",
            "source": source,
            "pixelMeans": json.dumps(IMAGENET_PIXEL_MEANS),
            "pixelStds": json.dumps(IMAGENET_PIXEL_STDS),
        },
    )
    return list(tensors)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m fastrcnn_torch.vgg16", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="safetensors file to write")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--pretrained", action="store_true", help="torchvision's ImageNet VGG16 weights (downloads them once)")
    src.add_argument("--state-dict", help="a torch.save()d state_dict of a VGG16 (or of its features)")
    p.add_argument("--no-fc", action="store_true", help="convert the conv layers only (not classifier.0/3 to fc6/fc7)")
    a = p.parse_args(argv)
    if a.pretrained:
        import torchvision

        sd, source = torchvision.models.vgg16(weights="IMAGENET1K_V1").state_dict(), "torchvision vgg16 IMAGENET1K_V1"
    else:
        sd, source = torch.load(a.state_dict, map_location="cpu"), a.state_dict
        if not isinstance(sd, dict):
            sys.exit(f"{a.state_dict}: expected a state_dict (a dict of tensors), got {type(sd).__name__}")
    names = save_vgg16_init(sd, a.out, not a.no_fc, source)
    print(f"{a.out}: {len(names)} tensors ({', '.join(names)})")
    print(
        f"train with: fastrcnn train --init-from {a.out} --config vgg16.json, where vgg16.json sets the VGG16 backbone "
        f"and pixelMeans {json.dumps(IMAGENET_PIXEL_MEANS)}, pixelStds {json.dumps(IMAGENET_PIXEL_STDS)}"
    )


if __name__ == "__main__":
    main()
