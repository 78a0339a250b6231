import { deflateSync } from 'node:zlib';
import type { Deflate } from '../qr/render/png.js';

/**
 * Level 3, zlib's fastest strategy that still searches for matches: on our Up-filtered 1-bit rows
 * the lazy matching of level 4 and above costs far more time than the bytes it saves, and lower
 * levels save little time for larger images (see docs/design/generation.md).
 */
export const nodeDeflate: Deflate = (data) => deflateSync(data, { level: 3 });
