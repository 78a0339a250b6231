import { parse } from 'csv-parse/sync';
import yauzl from 'yauzl';

/** Every entry of a ZIP in memory, by name, read back with yauzl (which checks each entry's CRC and sizes). */
export async function readZip(zip: Buffer): Promise<Map<string, Buffer>> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const found = new Map<string, Buffer>();
  for await (const entry of file.eachEntry()) {
    const stream = await file.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    found.set(entry.fileName, Buffer.concat(chunks));
  }
  return found;
}

/** Entry names in central-directory order, without reading their data. */
export async function zipNames(zip: Buffer): Promise<string[]> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const names: string[] = [];
  for await (const entry of file.eachEntry()) names.push(entry.fileName);
  return names;
}

/** The records of a manifest.csv after its header (row, file, version, error). */
export function manifestLines(manifest: Buffer): string[][] {
  const [header, ...lines] = parse(manifest) as string[][];
  if (header?.join(',') !== 'row,file,version,error') throw new Error(`unexpected manifest header ${String(header)}`);
  return lines;
}
