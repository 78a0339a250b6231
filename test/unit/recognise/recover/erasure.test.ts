import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeQr } from '../../../../src/qr/encode/encode.js';
import { correctSymbol, type SampledModules } from '../../../../src/recognise/recover/erasure.js';
import { decodeImage } from '../../../../src/recognise/cascade.js';
import { drawSymbol, sampleModules } from '../../../../src/recognise/recover/regrid.js';
import { loadReader, readLuminance } from '../../../../src/recognise/reader/zxing.js';

const TEXT = 'https://example.com/tickets/2026/row-12/seat-34';
const symbol = encodeQr(TEXT, { ec: 'M' }); // version 4: 2 blocks of 32 codewords, 18 check codewords each
const size = symbol.size;
let reader: Awaited<ReturnType<typeof loadReader>>;
beforeAll(async () => {
  reader = await loadReader();
});

function readPure(modules: Uint8Array): string | undefined {
  const img = drawSymbol(modules, size);
  return readLuminance(reader, img.data, img.width, img.height, { formats: ['QRCode'], isPure: true, tryHarder: false, tryRotate: false, tryInvert: false, tryDownscale: false })[0]?.text;
}

/** The symbol with the modules within `radius` modules of (cx, cy) washed out to light, flagged unreliable when `flag`. */
function washedOut(cx: number, cy: number, radius: number, flag: boolean): SampledModules {
  const dark = symbol.modules.slice();
  const reliability = new Float32Array(size * size).fill(1);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if ((c + 0.5 - cx) ** 2 + (r + 0.5 - cy) ** 2 > radius ** 2) continue;
      dark[r * size + c] = 0;
      if (flag) reliability[r * size + c] = 0.05;
    }
  }
  return { dark, reliability, size };
}

describe('error correction with erasures', () => {
  it('repairs a washed-out patch that is beyond plain error correction, to the exact symbol', () => {
    const sampled = washedOut(19, 19, 6.5, true);
    expect(readPure(sampled.dark)).toBeUndefined();
    const corrected = correctSymbol(sampled);
    expect(corrected && [...corrected]).toEqual([...symbol.modules]);
    expect(readPure(corrected!)).toBe(TEXT);
  });

  it('needs to know where the damage is: the same patch unflagged is not repaired', () => {
    expect(correctSymbol(washedOut(19, 19, 6.5, false))).toBeUndefined();
  });

  it('refuses a symbol damaged beyond repair instead of inventing one', () => {
    expect(correctSymbol(washedOut(19, 19, 11, true))).toBeUndefined();
  });

  it('repairs the format information too', () => {
    // The first copy of the format bits (row and column 8 around the top-left finder) washed out with the data beside it.
    const sampled = washedOut(8, 8, 4, true);
    expect(correctSymbol(sampled) && readPure(correctSymbol(sampled)!)).toBe(TEXT);
  });

  it('reads a photo whose glare spot hides more modules than plain error correction repairs', async () => {
    const [px, margin] = [8, 6];
    const side = (size + 2 * margin) * px;
    const data = new Uint8Array(side * side);
    const [cx, cy, radius] = [(margin + 0.55 * size) * px, (margin + 0.6 * size) * px, 0.28 * size * px];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const [u, v] = [Math.floor(x / px - margin), Math.floor(y / px - margin)];
        const paper = u >= 0 && v >= 0 && u < size && v < size && symbol.modules[v * size + u] ? 0.12 : 0.85;
        const glare = 1.2 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / radius ** 2);
        data[y * side + x] = Math.min(255, Math.round((paper + glare) * 255));
      }
    }
    const png = new Uint8Array(
      await sharp(Buffer.from(data), { raw: { width: side, height: side, channels: 1 } })
        .blur(1.2)
        .png()
        .toBuffer(),
    );
    const photo = { data: new Uint8Array(await sharp(png).extractChannel(0).raw().toBuffer()), width: side, height: side };
    // The modules sampled on the exact grid do not read as they are ...
    const at = (m: number): number => (margin + m) * px;
    const quad = { topLeft: { x: at(0), y: at(0) }, topRight: { x: at(size), y: at(0) }, bottomRight: { x: at(size), y: at(size) }, bottomLeft: { x: at(0), y: at(size) } };
    for (const sampled of sampleModules(photo, quad, size)) expect(readPure(sampled.dark)).toBeUndefined();
    // ... and the cascade reads the code through the erasures.
    const result = await decodeImage(reader, png, { formats: ['QRCode'], maxSide: 1200, maxPixels: 25_000_000 });
    expect(result.codes.map((c) => c.text)).toEqual([TEXT]);
    expect(result.pass).toBe('regrid');
  });
});
