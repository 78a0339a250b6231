/** The model files carried in the repository's models/ folder, found from the sources (tests) and from the build alike. */
import { existsSync } from 'node:fs';

/** models/ seen from src/idphoto/ (the tests run the sources), then from dist/src/idphoto/ (the build). */
const MODELS_ROOTS = ['../../models/', '../../../models/'];

/** The folder models/<folder>/ holding `file`; an Error naming the missing file otherwise. */
export function modelDir(folder: string, file: string): URL {
  const found = MODELS_ROOTS.map((root) => new URL(`${root}${folder}/`, import.meta.url)).find((url) => existsSync(new URL(file, url)));
  if (!found) throw new Error(`The model file models/${folder}/${file} is missing (looked beside ${new URL('.', import.meta.url).pathname}).`);
  return found;
}
