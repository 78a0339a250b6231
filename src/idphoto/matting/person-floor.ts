/**
 * ISNet segments the salient object, not the person: on some portraits it leaves the clothes half
 * transparent (058) or drops hair that melts into the background (057), where the person model is
 * sure. The person model's confident interior, eroded so that its coarse edge never shows, is taken
 * as a floor under the detailed matte: the detailed model keeps every edge and strand, the person
 * model keeps the body whole.
 */
import { boxFilter } from '../matte/box.js';
import { createImage } from '../matte/image.js';
import { resizeBilinear } from '../matte/resize.js';
import type { Matte, MattingEngine, RgbImage } from './engine.js';

/** The person model's alpha at or above this is its interior. */
export const PERSON_CORE_ALPHA = 0.9;
/** The interior is eroded by this many of the person model's pixels: its edge is blurred over about two. */
export const PERSON_CORE_EROSION = 2;

/** The person matte's confident interior, eroded, at its own resolution: 1 inside, 0 elsewhere. */
export function personCore(person: Matte, erosion = PERSON_CORE_EROSION): Matte {
  const inside = createImage(person.width, person.height, 1);
  for (let i = 0; i < person.data.length; i++) inside.data[i] = person.data[i]! >= PERSON_CORE_ALPHA ? 1 : 0;
  // A pixel stays where its whole window is inside: the window's mean is 1 (within float error).
  const mean = boxFilter(inside, erosion).data;
  const core = createImage(person.width, person.height, 1);
  for (let i = 0; i < mean.length; i++) core.data[i] = mean[i]! > 1 - 1e-4 ? 1 : 0;
  return { data: core.data, width: core.width, height: core.height, channels: 1 };
}

/** max(detailed, the person's core upsampled to the detailed matte's size). */
export function floorUnder(detailed: Matte, person: Matte): Matte {
  const core = resizeBilinear(personCore(person), detailed.width, detailed.height).data;
  const data = new Float32Array(detailed.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(detailed.data[i]!, core[i]!);
  return { data, width: detailed.width, height: detailed.height, channels: 1 };
}

/** `detailed` (named as it is) with `person`'s core as a floor under every matte; releasing it releases both. */
export function withPersonFloor(detailed: MattingEngine, person: MattingEngine): MattingEngine {
  return {
    name: detailed.name,
    async matte(rgb: RgbImage): Promise<Matte> {
      const fine = await detailed.matte(rgb);
      return floorUnder(fine, await person.matte(rgb));
    },
    async release(): Promise<void> {
      await Promise.all([detailed.release(), person.release()]);
    },
  };
}
