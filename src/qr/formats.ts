/** The output formats: the one list every client (API schema, CLI, README, content types) is derived from. */
export const OUTPUT_FORMAT_SPECS = {
  png: { contentType: 'image/png', extension: '.png', description: '1-bit PNG: greyscale, or a two-colour palette (with transparency) for other colours' },
  svg: { contentType: 'image/svg+xml', extension: '.svg', description: 'one path of module runs, scaled by its viewBox' },
  txt: { contentType: 'text/plain; charset=utf-8', extension: '.txt', description: 'half-block characters for a terminal (two module rows per line)' },
  json: { contentType: 'application/json; charset=utf-8', extension: '.json', description: "the symbol's facts and the PNG as a data URI" },
} as const satisfies Record<string, { contentType: string; extension: string; description: string }>;

export type OutputFormat = keyof typeof OUTPUT_FORMAT_SPECS;

export const OUTPUT_FORMATS = Object.keys(OUTPUT_FORMAT_SPECS) as readonly OutputFormat[];

/** The format a file name's extension asks for (`.png`, `.SVG`, ...), or undefined. */
export function formatForFileName(name: string): OutputFormat | undefined {
  const lower = name.toLowerCase();
  return OUTPUT_FORMATS.find((f) => lower.endsWith(OUTPUT_FORMAT_SPECS[f].extension));
}
