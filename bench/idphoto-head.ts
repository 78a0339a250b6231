/**
 * bench:idphoto's head-placement section: the head as the pipeline measures it (eyes, roll, chin, top of the hair)
 * against hand-marked landmarks of the test portraits, per engine (the engine gives the hair top).
 */
import { join } from 'node:path';
import type { DecodeLimits } from '../src/idphoto/codec/decode.js';
import type { PhotoGeometry } from '../src/idphoto/geometry.js';
import type { LoadedModels } from '../src/idphoto/models.js';
import { LANDMARKS_FIXTURE, measureMarked, summarise, type HeadErrors, type MarkedResult } from '../test/helpers/landmarks.js';
import { ROOT } from './load-targets.js';

export interface HeadRun {
  readonly engine: string;
  readonly results: readonly MarkedResult[];
}

export async function headAgainstMarks(engine: string, models: LoadedModels, dir: string, limits: DecodeLimits, only?: readonly string[]): Promise<HeadRun> {
  const [detector, mesh, matting] = await Promise.all([models.detector(), models.mesh(), models.engine(engine)]);
  return { engine, results: await measureMarked({ detector, mesh, engine: matting }, dir, limits, { fixture: join(ROOT, LANDMARKS_FIXTURE), ...(only && { only }) }) };
}

const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
const signed = (v: number): string => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)} %`;

/**
 * The table, and how many photos of the spec would have a head outside its band: the placement makes the measured
 * head the band's middle, so a head height measured (1 + e) times too long comes out middle / (1 + e) on the photo.
 */
export function headTable(runs: readonly HeadRun[], spec: { id: string; geometry: PhotoGeometry; mm: (px: number) => number }): string[] {
  const lines: string[] = [];
  const band = spec.geometry.head;
  lines.push(
    `| engine | portraits | eye midpoint: median / worst (share of the eye distance) | roll: median / worst | chin: bias, median abs, worst (share of eyes to chin) | hair top: bias, median abs, worst (share of the head) | head height, chin to hair top: bias, median abs, worst | ${spec.id}: head outside its band |`,
  );
  lines.push('|---|---:|---|---|---|---|---|---|');
  for (const run of runs) {
    const s = (key: keyof HeadErrors) => summarise(run.results, key);
    const three = (key: keyof HeadErrors): string => {
      const x = s(key);
      return x ? `${signed(x.mean)}, ${pct(x.medianAbs)}, ${signed(x.worst.value)} (${x.worst.file})` : 'n/a';
    };
    const eyes = s('eyes');
    const roll = s('roll');
    let outside = 'n/a';
    if (band) {
      const mid = (band.min + band.max) / 2;
      const off = run.results.filter((r) => r.errors.headHeight !== undefined && (mid / (1 + r.errors.headHeight) < band.min || mid / (1 + r.errors.headHeight) > band.max));
      const measured = run.results.filter((r) => r.errors.headHeight !== undefined).length;
      outside = `${off.length} of ${measured}${off.length ? ` (${off.map((r) => `${r.file} ${spec.mm(mid / (1 + r.errors.headHeight!)).toFixed(1)} mm`).join(', ')})` : ''}, band ${spec.mm(band.min).toFixed(1)}-${spec.mm(band.max).toFixed(1)} mm`;
    }
    const refused = run.results.filter((r) => r.refused);
    lines.push(
      `| ${run.engine} | ${run.results.length - refused.length}${refused.length ? ` (refused: ${refused.map((r) => `${r.file} ${r.refused}`).join(', ')})` : ''} | ${eyes ? `${pct(eyes.medianAbs)} / ${pct(eyes.worst.value)} (${eyes.worst.file})` : 'n/a'} | ${roll ? `${roll.medianAbs.toFixed(1)}° / ${roll.worst.value.toFixed(1)}° (${roll.worst.file})` : 'n/a'} | ${three('chin')} | ${three('hairTop')} | ${three('headHeight')} | ${outside} |`,
    );
  }
  return lines;
}
