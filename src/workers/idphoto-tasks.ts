/** The ID-photo workload: photos, cut-outs and sheets, run in the ID-photo pool's threads. */
import type { DecodeLimits } from '../idphoto/codec/decode.js';
import type { EncodedImage, IdPhotoResult, SheetRequest } from '../idphoto/make.js';
import type { IsnetProfile, OnnxDevice } from '../idphoto/onnx-device.js';
import type { IdPhotoOptions } from '../idphoto/options.js';
import type { SheetSize } from '../idphoto/sheet.js';

export type IdPhotoTasks = {
  photo: { input: { readonly bytes: Uint8Array; readonly options: IdPhotoOptions; readonly mode: 'photo' | 'crop' }; output: IdPhotoResult };
  cutout: { input: { readonly bytes: Uint8Array; readonly engine: string }; output: { image: EncodedImage; original: { width: number; height: number } } };
  sheet: { input: { readonly uploads: readonly Uint8Array[]; readonly size: SheetSize; readonly request: SheetRequest }; output: EncodedImage };
};

export interface IdPhotoWorkerData {
  /** Pixel limits of every upload's decoding (IDPHOTO_MAX_SIDE bounds the memory of every task). */
  readonly limits: DecodeLimits;
  /** Where the ONNX models run (IDPHOTO_DEVICE). */
  readonly device: OnnxDevice;
  /** ISNet's memory against time (IDPHOTO_ISNET_PROFILE). */
  readonly isnetProfile: IsnetProfile;
}
