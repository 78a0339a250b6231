import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { IdPhotoService, PhotoMode } from '../../app/idphoto.js';
import { QrwError } from '../../errors.js';
import { photoGeometry } from '../../idphoto/geometry.js';
import { MATTING_ENGINES, engineAvailability } from '../../idphoto/matting/engines.js';
import type { EncodedImage } from '../../idphoto/make.js';
import { IDPHOTO_OPTION_SPECS, parseIdPhotoOptions } from '../../idphoto/options.js';
import { SHEETS, findSheet } from '../../idphoto/sheet.js';
import { SPECS } from '../../idphoto/specs.js';
import { clientGone, viewOf } from '../plugins/uploads.js';
import { IdPhotoAnswerSchema, IdPhotoSpecsSchema, errorResponses } from '../schemas.js';

/** The catalogue never changes while the process runs: built once (an engine installed later shows after a restart). */
const LISTING = {
  specs: SPECS.map((spec) => ({ ...spec, pixels: photoGeometry(spec) })),
  sheets: SHEETS,
  engines: MATTING_ENGINES.map((engine) => ({ ...engine, ...engineAvailability(engine.name) })),
};

/** The options of POST /api/v1/idphoto/sheet (the sheet's own, from the ID-photo option registry). */
const SHEET_OPTIONS = ['sheet', 'dpi', 'format', 'orientation', 'cutLines', 'gapMm', 'marginMm'];

/** Photos one sheet request may carry. */
export const MAX_SHEET_PHOTOS = 8;

type Query = Record<string, string>;

interface Upload {
  readonly files: Uint8Array[];
  readonly fields: Record<string, unknown>;
}

/** Multipart (files in `fileFields`, options as fields) or a raw image body with the options in the query string. */
async function readUpload(request: FastifyRequest<{ Querystring: Query }>, fileFields: readonly string[], maxFiles: number): Promise<Upload> {
  const fields: Record<string, unknown> = { ...request.query };
  const files: Uint8Array[] = [];
  if (request.isMultipart()) {
    const parts = request.parts({ limits: { files: maxFiles, fields: IDPHOTO_OPTION_SPECS.length + 2, parts: maxFiles + IDPHOTO_OPTION_SPECS.length + 2 } });
    try {
      for await (const part of parts) {
        if (part.type === 'file') {
          if (fileFields.includes(part.fieldname)) files.push(viewOf(await part.toBuffer()));
          else part.file.resume();
        } else {
          fields[part.fieldname] = part.value;
        }
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
        throw new QrwError('TOO_MANY_FILES', `At most ${maxFiles} file(s) and the documented options.`, { limit: maxFiles });
      throw err;
    }
    if (files.length === 0) throw new QrwError('MISSING_IMAGE', `The multipart form has no file in the field "${fileFields[0]}".`);
    return { files, fields };
  }
  if (Buffer.isBuffer(request.body)) return { files: [viewOf(request.body)], fields };
  throw new QrwError('UNSUPPORTED_MEDIA_TYPE', `Send the picture as multipart/form-data (field "${fileFields[0]}") or as a raw body with Content-Type image/* or application/octet-stream.`);
}

const wantsJson = (request: FastifyRequest): boolean => /application\/json/i.test(request.headers.accept ?? '');

const asJson = (image: EncodedImage | null) =>
  image && {
    contentType: image.contentType,
    data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).toString('base64'),
    width: image.width,
    height: image.height,
    dpi: image.dpi,
  };

function sendImage(reply: FastifyReply, image: EncodedImage, name: string): FastifyReply {
  const extension = image.contentType === 'image/png' ? 'png' : 'jpg';
  return reply
    .header('Content-Type', image.contentType)
    .header('Content-Disposition', `inline; filename="${name}.${extension}"`)
    .header('Cache-Control', 'no-store')
    .send(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength));
}

export interface IdPhotoRouteOptions {
  readonly shedWhenFull: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Per-client limit of the routes that make photos (IDPHOTO_RATE_LIMIT_MAX per RATE_LIMIT_WINDOW). */
  readonly rateLimit?: { readonly max: number; readonly timeWindow: number };
}

const BINARY_OR_JSON = 'The photo itself (image/jpeg or image/png), or with `Accept: application/json` one object: {photo, hires, sheet, report}.';

export function registerIdPhotoRoutes(app: FastifyInstance, service: IdPhotoService | undefined, options?: IdPhotoRouteOptions): void {
  app.get(
    '/api/v1/idphoto/specs',
    { schema: { summary: 'The ID-photo specs (sizes, head and eye bands, backgrounds, sources) and print sheets', tags: ['idphoto'], response: { 200: IdPhotoSpecsSchema } } },
    async (_request, reply) => {
      reply.header('Cache-Control', 'public, max-age=3600');
      return LISTING;
    },
  );
  if (!service || !options) return;
  const errors = errorResponses(400, 413, 415, 422, 429, 503);
  const routeOptions = (summary: string, description: string): RouteShorthandOptions => ({
    onRequest: options.shedWhenFull,
    ...(options.rateLimit && { config: { rateLimit: options.rateLimit } }),
    schema: {
      summary,
      description,
      tags: ['idphoto'],
      consumes: ['multipart/form-data', 'image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'],
      response: { 200: { description: BINARY_OR_JSON, ...IdPhotoAnswerSchema }, ...errors },
    },
  });

  const photo = (mode: PhotoMode) => async (request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
    const upload = await readUpload(request, ['image'], 1);
    const parsed = parseIdPhotoOptions(upload.fields);
    const result = await service.photo(upload.files[0]!, parsed, mode, clientGone(reply));
    reply.header('X-Cache', result.cached ? `hit-${result.cached}` : 'miss');
    reply.header('X-IdPhoto-Passed', String(result.report.passed));
    if (wantsJson(request)) return { photo: asJson(result.photo), hires: asJson(result.hires), sheet: asJson(result.sheet), report: result.report };
    return sendImage(reply, result.photo, `idphoto-${parsed.spec.id}`);
  };

  app.post<{ Querystring: Query }>(
    '/api/v1/idphoto',
    routeOptions(
      'Make an ID photo: background removed, placed by the spec, on a colour; optionally a print sheet',
      'multipart/form-data with the portrait in field "image" and the options as fields, or the raw picture as the body with the options in the query string.',
    ),
    photo('photo'),
  );
  app.post<{ Querystring: Query }>('/api/v1/idphoto/crop', routeOptions('Crop to the spec without matting (the picture keeps its own background)', 'As POST /api/v1/idphoto.'), photo('crop'));
  app.post<{ Querystring: Query }>(
    '/api/v1/idphoto/matte',
    {
      onRequest: options.shedWhenFull,
      ...(options.rateLimit && { config: { rateLimit: options.rateLimit } }),
      schema: { summary: 'The person cut out of the whole picture: a PNG with alpha, the size of the upload after EXIF orientation', tags: ['idphoto'], response: errors },
    },
    async (request, reply) => {
      const upload = await readUpload(request, ['image'], 1);
      const engine = parseIdPhotoOptions({ ...(upload.fields.engine !== undefined && { engine: upload.fields.engine }) }).engine;
      const { image, original } = await service.cutout(upload.files[0]!, engine, clientGone(reply));
      reply.header('X-Original-Size', `${original.width}x${original.height}`);
      return sendImage(reply, image, 'cutout');
    },
  );
  app.post<{ Querystring: Query }>(
    '/api/v1/idphoto/sheet',
    {
      onRequest: options.shedWhenFull,
      schema: { summary: `A print sheet from finished photos (up to ${MAX_SHEET_PHOTOS}, each in a field "photo"), each printed at \`dpi\``, tags: ['idphoto'], response: errors },
    },
    async (request, reply) => {
      const upload = await readUpload(request, ['photo', 'image'], MAX_SHEET_PHOTOS);
      const unknown = Object.keys(upload.fields).find((name) => !SHEET_OPTIONS.includes(name));
      if (unknown !== undefined) throw new QrwError('INVALID_OPTION', `Unknown option ${unknown}; a sheet takes ${SHEET_OPTIONS.join(', ')}.`, { option: unknown });
      const parsed = parseIdPhotoOptions({ dpi: '300', ...upload.fields });
      const size = parsed.sheet ?? findSheet('4x6in')!;
      const image = await service.sheet(upload.files, size, {
        dpi: parsed.dpi,
        format: parsed.format,
        cutLines: parsed.cutLines,
        gapMm: parsed.gapMm,
        marginMm: parsed.marginMm,
        ...(parsed.orientation && { orientation: parsed.orientation }),
      });
      return sendImage(reply, image, `sheet-${size.id}`);
    },
  );
}
