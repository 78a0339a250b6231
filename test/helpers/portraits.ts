import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { RgbImage } from '../../src/idphoto/rgb.js';
import { sharedPath } from './shared.js';

/** The CC0 test portraits (../shared/idphoto/portraits/*.jpg), sorted; an error when there are none. */
export function portraits(): string[] {
  const dir = sharedPath('idphoto/portraits/');
  const files = readdirSync(dir).filter((f) => f.endsWith('.jpg'));
  if (files.length === 0) throw new Error(`No portraits (*.jpg) in ${dir}.`);
  return files.sort().map((f) => join(dir, f));
}

/** A picture (a file, or a sharp pipeline) as the RGB pixels the ID-photo models take. */
export async function rgbOf(image: string | Sharp): Promise<RgbImage> {
  const { data, info } = await (typeof image === 'string' ? sharp(image) : image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
