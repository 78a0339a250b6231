/**
 * The SSD anchors of MediaPipe's BlazeFace detectors (its SsdAnchorsCalculator, reduced to the options
 * these models use: one aspect ratio plus the interpolated one, fixed anchor size), which the ONNX
 * files do not contain: the model's regressors are offsets from these centres.
 */

export interface AnchorOptions {
  /** The square model input, in pixels. */
  readonly inputSize: number;
  /** One stride per SSD layer; consecutive layers with the same stride share a feature map. */
  readonly strides: readonly number[];
  /** Where in its cell an anchor sits (0.5: the centre). */
  readonly anchorOffset: number;
}

/** face_detection_front (short range, 128x128): a 16x16 map with 2 anchors a cell, then 8x8 with 6. */
export const FRONT_ANCHORS: AnchorOptions = { inputSize: 128, strides: [8, 16, 16, 16], anchorOffset: 0.5 };

/** face_detection_back (256x256): the same grids at twice the strides, so the same 896 anchors. */
export const BACK_ANCHORS: AnchorOptions = { inputSize: 256, strides: [16, 32, 32, 32], anchorOffset: 0.5 };

/**
 * Anchor centres as [x0, y0, x1, y1, ...] in 0..1 of the model input, in the order of the model's
 * outputs: feature map by feature map, row by row, cell by cell, anchor by anchor.
 */
export function generateAnchors(options: AnchorOptions): Float32Array {
  const centres: number[] = [];
  const { strides, inputSize, anchorOffset } = options;
  for (let layer = 0; layer < strides.length;) {
    const stride = strides[layer]!;
    let layers = 0;
    while (layer < strides.length && strides[layer] === stride) {
      layers++;
      layer++;
    }
    // Each layer contributes its aspect ratio 1 anchor and the interpolated-scale one; with a fixed anchor size they coincide but stay separate outputs.
    const perCell = 2 * layers;
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let a = 0; a < perCell; a++) centres.push((x + anchorOffset) / cells, (y + anchorOffset) / cells);
      }
    }
  }
  return Float32Array.from(centres);
}
