"""fastrcnn_torch: the PyTorch twin of the fastrcnn detector (the TypeScript engine in this repository).

A torch.nn.Module built from a model file's config that loads its safetensors weights by name,
detection that reproduces ours (preprocessing, RoI pooling, heads, decoding, clipping, NMS), saving
back to our model format, and a converter of torchvision's VGG16 into a pretrained start for
`fastrcnn train --init-from`. See python/README.md.
"""

from .detect import Detection, RawDetections, detect, im_detect, postprocess
from .model import FastRCNN, LoadedModel, load_model, save_model
from .safetensors_io import load_file, save_file
from .vgg16 import convert_vgg16, save_vgg16_init

__all__ = [
    "Detection",
    "FastRCNN",
    "LoadedModel",
    "RawDetections",
    "convert_vgg16",
    "detect",
    "im_detect",
    "load_file",
    "load_model",
    "postprocess",
    "save_file",
    "save_model",
    "save_vgg16_init",
]
