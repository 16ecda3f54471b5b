// What ships inside the bundle: a few test-split images of the synthetic dataset (never seen in
// training) with their ground truth, and the small trained model (see ../README.md for how it was made).
import type { Box } from '../../../src/index.js';
import list from '../samples/samples.json';
import s000025 from '../samples/000025.png';
import s000044 from '../samples/000044.png';
import s000058 from '../samples/000058.png';
import s000091 from '../samples/000091.png';
import model from '../model.safetensors';

const bytes: Record<string, Uint8Array> = { '000025': s000025, '000044': s000044, '000058': s000058, '000091': s000091 };

export interface Sample {
  name: string;
  bytes: Uint8Array;
  objects: { name: string; box: Box }[];
}

export const SAMPLES: Sample[] = list.map((s) => ({
  name: s.name,
  bytes: bytes[s.name],
  objects: s.objects.map((o) => ({ name: o.name, box: o.box as Box })),
}));
export const SHIPPED_MODEL: Uint8Array = model;
export const SHIPPED_MODEL_NAME = 'model.safetensors';
