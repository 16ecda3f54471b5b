// What an exported ONNX file carries beside the graph (metadata_props): the class list and the config,
// so a program holding only the .onnx file can preprocess and post-process as the model expects.
// ONNX Runtime's JavaScript API does not expose these entries; this reads them from the file.
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { type FastRcnnConfig, baseConfig, validateConfig } from '../../detection/model/config.js';
import { mergeConfig } from '../../detection/model/configOverrides.js';

export const ONNX_FORMAT = 'fastrcnn-onnx';

/**
 * The classes (index k of cls_prob is classes[k − 1]) and the config of an ONNX file written by
 * exportOnnx. Anything else is refused naming `source`: bytes that are not an ONNX model, an ONNX
 * model from another program, or metadata that does not parse.
 */
export function readOnnxMetadata(bytes: Uint8Array, source = 'ONNX file'): { classes: string[]; config: FastRcnnConfig } {
  let props: Map<string, string>;
  try {
    const m = fromBinary(ModelProtoSchema, bytes);
    if (!m.graph || !m.opsetImport.length) throw new Error('no graph or operator set');
    props = new Map(m.metadataProps.map((p) => [p.key, p.value]));
  } catch (e) {
    throw new Error(`${source}: not an ONNX model (${(e as Error).message})`);
  }
  if (props.get('format') !== ONNX_FORMAT)
    throw new Error(`${source}: an ONNX model, but not one fastrcnn exported (no '${ONNX_FORMAT}' format entry in its metadata)`);
  try {
    const classes: unknown = JSON.parse(props.get('classes') ?? 'null');
    if (!Array.isArray(classes) || !classes.length || !classes.every((c) => typeof c === 'string' && c !== ''))
      throw new Error('classes is not a list of names');
    const config = validateConfig(mergeConfig(baseConfig(), JSON.parse(props.get('config') ?? 'null')));
    return { classes, config };
  } catch (e) {
    throw new Error(`${source}: bad fastrcnn metadata: ${(e as Error).message}`);
  }
}
