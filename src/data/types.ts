// Plain data shapes shared by the data layer. Boxes everywhere in the code are VOC pixel-inclusive
// (x1, y1, x2, y2) with 0-based pixel indices; only the XML files on disk are 1-based (the reader
// subtracts 1 and the writer adds 1, as the original Fast R-CNN pascal_voc.py does).

/** 8-bit RGB image, interleaved, row-major: pixel (x, y) channel c is data[(y * width + x) * 3 + c]. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Float image for the network: planar CHW (3 planes of height*width), RGB order. */
export interface FloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** VOC pixel-inclusive box, 0-based: width is x2 - x1 + 1. */
export type Box = [x1: number, y1: number, x2: number, y2: number];

export interface VocObject {
  name: string;
  box: Box;
  difficult: boolean;
  truncated: boolean;
}

/** One annotation file's content (boxes already 0-based). */
export interface VocAnnotation {
  /** Image id: the file name stem listed in ImageSets (e.g. "000005"). */
  id: string;
  /** Image file name as written in <filename> (may be empty when the XML lacks it). */
  filename: string;
  width: number;
  height: number;
  depth: number;
  objects: VocObject[];
}

export function createRgbImage(width: number, height: number, fill: [number, number, number] = [0, 0, 0]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  if (fill[0] || fill[1] || fill[2])
    for (let i = 0; i < data.length; i += 3) {
      data[i] = fill[0];
      data[i + 1] = fill[1];
      data[i + 2] = fill[2];
    }
  return { width, height, data };
}

/** One image of a VOC-format dataset on disk (read by ./voc.ts): its annotation and image path. */
export interface VocRecord extends VocAnnotation {
  /** Absolute or root-relative path of the image file. */
  imagePath: string;
}

export interface VocDataset {
  root: string;
  split: string;
  /** Object classes, without background (the detector puts background at index 0 itself). */
  classes: string[];
  records: VocRecord[];
  warnings: string[];
}
