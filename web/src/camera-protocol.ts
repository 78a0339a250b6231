import type { DecodedCode } from './api.js';

/** Page -> camera worker: one frame to read. */
export interface FrameRequest {
  id: number;
  frame: ImageData;
}

/** Camera worker -> page: what the frame held, positions in frame pixels. */
export type FrameReply = { id: number; codes: DecodedCode[] } | { id: number; error: string };
