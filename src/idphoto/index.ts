/** The ID-photo tool as a library: `qr-workshop/idphoto`. Models load on first use. */
export { SPECS, findSpec, type IdPhotoSpec, type CrownRule, type SpecStatus } from './specs.js';
export { photoGeometry, mmToPx, pxToMm, type PhotoGeometry } from './geometry.js';
export { SHEETS, findSheet, layoutSheet, type SheetSize } from './sheet.js';
export { IDPHOTO_OPTION_SPECS, parseIdPhotoOptions, type IdPhotoOptions } from './options.js';
export { makeIdPhoto, makeCutout, makeSheet, type IdPhotoModels, type IdPhotoResult, type EncodedImage } from './make.js';
export { createModels } from './models.js';
export { loadIdPhotoEngine } from './engine-loader.js';
export { IdPhotoReportSchema, type IdPhotoReport } from './report.js';
export { NAMED_BACKGROUNDS, parseBackground } from './output/background.js';
