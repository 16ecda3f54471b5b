// The detector's network as an ONNX model: the conv backbone on the preprocessed image blob,
// MaxRoiPool, fc6 and fc7 (plain, or their SVD pairs), softmax class probabilities and raw box
// deltas (the target normalization folded into bbox_pred, as in model files). Preprocessing and
// post-processing stay outside the graph (docs/onnx.md).
import { create, toBinary } from '@bufbuild/protobuf';
import { type NodeProto, ModelProtoSchema, type TensorProto } from 'onnx-buf';
import { version } from '../../core/version.js';
import type { FastRcnnConfig } from '../../detection/model/config.js';
import type { FastRCNN, FcLayer } from '../../detection/model/fastRcnn.js';
import { foldBboxStats } from '../../detection/model/targets.js';
import { ONNX_FORMAT } from './onnxMetadata.js';
import { floatTensor, floatValue, node } from './proto.js';

/** Every operator used exists unchanged since opset 13 (MaxRoiPool since opset 1). */
export const ONNX_OPSET = 13;
/** The IR version of ONNX 1.8, which introduced opset 13: the oldest runtime that runs the graph reads the file. */
const IR_VERSION = 7;
/** Protocol buffers cap a message at 2 GiB; bigger models would need ONNX external data. */
const MAX_WEIGHT_BYTES = 2 ** 31 - 2 ** 24;

export interface OnnxIo {
  name: string;
  /** Strings are symbolic (dynamic) dimensions. */
  shape: (number | string)[];
  doc: string;
}

/** The exported graph's inputs and outputs for this model. */
export function onnxSignature(model: FastRCNN): { inputs: OnnxIo[]; outputs: OnnxIo[] } {
  const K1 = model.numClasses;
  return {
    inputs: [
      {
        name: 'image',
        shape: [1, 3, 'height', 'width'],
        doc: 'the image blob: RGB, scaled, pixel means subtracted, divided by pixel stds',
      },
      { name: 'rois', shape: ['num_rois', 5], doc: 'RoIs (batch index 0, x1, y1, x2, y2), pixel-inclusive, in blob pixels' },
    ],
    outputs: [
      { name: 'cls_prob', shape: ['num_rois', K1], doc: `softmax over background + ${K1 - 1} classes` },
      { name: 'bbox_pred', shape: ['num_rois', 4 * K1], doc: 'raw class-specific box deltas (dx, dy, dw, dh) per class' },
    ],
  };
}

export interface ExportOnnxOptions {
  /** More metadata_props entries (the model's classes and config are always there). */
  metadata?: Record<string, string>;
}

type Weights = Map<string, { shape: number[]; data: Float32Array }>;

/** The network's weights as saved in a model file: bbox_pred with the target statistics folded in. */
function inferenceWeights(model: FastRCNN): Weights {
  const w: Weights = new Map();
  let bytes = 0;
  for (const p of model.namedParameters()) bytes += 4 * p.tensor.size;
  if (bytes > MAX_WEIGHT_BYTES)
    throw new Error(
      `exportOnnx: the weights take ${(bytes / 2 ** 20).toFixed(0)} MiB; one ONNX file holds at most 2 GiB (external data is not supported)`,
    );
  for (const p of model.namedParameters()) {
    const data = p.tensor.dataSync() as Float32Array;
    const bad = data.reduce((n, v) => (Number.isFinite(v) ? n : n + 1), 0);
    if (bad) throw new Error(`exportOnnx: weight '${p.name}' has ${bad} non-finite value(s) (NaN or Inf); training diverged`);
    w.set(p.name, { shape: p.tensor.shape.slice(), data });
  }
  if (model.bboxMeans && model.bboxStds) {
    const W = w.get('bbox_pred.weight')!,
      b = w.get('bbox_pred.bias')!;
    const f = foldBboxStats(W.data, b.data, { means: model.bboxMeans, stds: model.bboxStds });
    w.set('bbox_pred.weight', { shape: W.shape, data: f.weight });
    w.set('bbox_pred.bias', { shape: b.shape, data: f.bias });
  }
  return w;
}

/** Nodes and initializers in graph order; each value is named after the node that makes it. */
class Graph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  constructor(private readonly weights: Weights) {}
  weight(name: string): string {
    const t = this.weights.get(name);
    if (!t) throw new Error(`exportOnnx: the model has no weight '${name}'`);
    this.initializers.push(floatTensor(name, t.shape, t.data));
    return name;
  }
  op(opType: string, inputs: string[], name: string, attrs?: Parameters<typeof node>[3]): string {
    this.nodes.push(node(opType, inputs, name, attrs));
    return name;
  }
  /** A Linear (y = x·Wᵀ + b) or its SVD pair (<name>_L without bias, then <name>_U). */
  fc(x: string, name: string, layer: FcLayer): string {
    if ('L' in layer) return this.fc(this.fc(x, `${name}_L`, layer.L), `${name}_U`, layer.U);
    const inputs = [x, this.weight(`${name}.weight`)];
    if (layer.bias) inputs.push(this.weight(`${name}.bias`));
    return this.op('Gemm', inputs, name, { transB: 1 });
  }
}

/** The conv backbone: conv (+ instance norm) + ReLU per layer, a 2×2 max pool after every stage but the last. */
function backbone(g: Graph, model: FastRCNN, x: string): string {
  const { stages, norm } = model.config.backbone;
  if (norm !== 'none' && norm !== 'instance')
    throw new Error(`exportOnnx: backbone norm '${String(norm)}' has no ONNX export (known: 'none', 'instance')`);
  let k = 0;
  stages.forEach((stage, s) => {
    stage.forEach((_, j) => {
      const conv = model.convs[k],
        name = model.convNames[k];
      const ks = conv.kernelSize,
        pad = conv.opts.padding ?? 0,
        stride = conv.opts.stride ?? 1;
      const inputs = [x, g.weight(`${name}.weight`)];
      if (conv.bias) inputs.push(g.weight(`${name}.bias`));
      x = g.op('Conv', inputs, name, { kernel_shape: [ks, ks], pads: [pad, pad, pad, pad], strides: [stride, stride] });
      const n = model.norms[k];
      if (n)
        x = g.op('InstanceNormalization', [x, g.weight(`${name}_norm.weight`), g.weight(`${name}_norm.bias`)], `${name}_norm`, {
          epsilon: { float: n.eps },
        });
      x = g.op('Relu', [x], `relu${s + 1}_${j + 1}`);
      k++;
    });
    if (s < stages.length - 1) x = g.op('MaxPool', [x], `pool${s + 1}`, { kernel_shape: [2, 2], strides: [2, 2] });
  });
  return x;
}

/**
 * The model's network as ONNX bytes (opset 13): inputs `image` [1,3,H,W] and `rois` [R,5], outputs
 * `cls_prob` [R,K+1] and `bbox_pred` [R,4(K+1)] (see onnxSignature). Dropout is left out (inference).
 * metadata_props hold the class list and the config (pixel means/stds, test scales) as JSON
 * (readOnnxMetadata reads them back).
 */
export function exportOnnx(model: FastRCNN, config: FastRcnnConfig, opts: ExportOnnxOptions = {}): Uint8Array {
  const g = new Graph(inferenceWeights(model));
  const feats = backbone(g, model, 'image');
  // Caffe's roi_pool, as our kernel: coordinates × spatial_scale rounded half away from zero, +1
  // widths, bins [floor(i·b), ceil((i+1)·b)). The pooled map is [R,C,ph,pw]; Flatten gives our (C,ph,pw) order.
  const pooled = g.op('MaxRoiPool', [feats, 'rois'], 'roi_pool', {
    pooled_shape: [...model.config.roiPoolSize],
    spatial_scale: { float: 1 / model.stride },
  });
  const flat = g.op('Flatten', [pooled], 'flatten', { axis: 1 });
  const h6 = g.op('Relu', [g.fc(flat, 'fc6', model.fc6)], 'relu6');
  const h7 = g.op('Relu', [g.fc(h6, 'fc7', model.fc7)], 'relu7');
  g.op('Softmax', [g.fc(h7, 'cls_score', model.clsScore)], 'cls_prob', { axis: 1 });
  g.fc(h7, 'bbox_pred', model.bboxPred);

  const sig = onnxSignature(model);
  const { train: _train, ...inference } = { ...structuredClone(config), model: structuredClone(model.config) };
  const metadata: Record<string, string> = {
    format: ONNX_FORMAT,
    classes: JSON.stringify(model.classes),
    config: JSON.stringify(inference),
    ...opts.metadata,
  };
  const doc = `Fast R-CNN (${model.classes.length} classes: ${model.classes.join(', ')}); pre- and post-processing: docs/onnx.md of fastrcnn`;
  const m = create(ModelProtoSchema, {
    irVersion: BigInt(IR_VERSION),
    opsetImport: [{ domain: '', version: BigInt(ONNX_OPSET) }],
    producerName: 'fastrcnn',
    producerVersion: version,
    docString: doc,
    graph: {
      name: 'fast_rcnn',
      node: g.nodes,
      initializer: g.initializers,
      input: sig.inputs.map((v) => floatValue(v.name, v.shape, v.doc)),
      output: sig.outputs.map((v) => floatValue(v.name, v.shape, v.doc)),
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return toBinary(ModelProtoSchema, m);
}
