/**
 * API keys at the edge (AUTH_MODE): who a request is, whether its key may call this tool, whether it is
 * within its rate and quotas (429 + Retry-After; RateLimit-* headers on every keyed answer), and what it
 * used, recorded when it completes. Keys are logged and labelled by name only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Accounts } from '../../accounts/accounts.js';
import type { KeyRecord } from '../../accounts/store.js';
import { emptyWork, withWorkCounts, type WorkCounts } from '../../app/work-counts.js';
import { QrwError } from '../../errors.js';
import { JOBS_PATH } from '../../jobs/job.js';
import type { Config, Tool } from '../../platform/config.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key the request came with (AUTH_MODE optional or required); undefined when anonymous. */
    account: KeyRecord | undefined;
  }
}

/** The original services' routes, answered beside /api/. */
const COMPAT_ROUTES = new Set(['/generate', '/decode', '/result/:file']);

/** Keys guard the API; probes, /metrics, the page, its assets and /docs stay open. */
const isApiRoute = (route: string | undefined): route is string => route !== undefined && (route.startsWith('/api/') || COMPAT_ROUTES.has(route));

/** The tool a route belongs to (a job: the tool of its type); undefined for routes of no tool (usage, admin, a job's state). */
export function toolOf(route: string, query: unknown, tools: readonly Tool[]): Tool | undefined {
  if (route === JOBS_PATH) {
    const type = (query as { type?: unknown } | undefined)?.type;
    return typeof type === 'string' && /^[a-z]+$/.test(type) ? toolOf(`/api/v1/${type}`, undefined, tools) : undefined;
  }
  if (/^\/api\/v1\/(batch\/)?idphoto(\/|$)/.test(route) || route === '/result/:file') return 'idphoto';
  if (/^\/api\/v1\/(batch\/)?(generate|decode)(\/|$)/.test(route) || route === '/decode') return 'qr';
  // An ID-photo-only process answers the original ID-photo service's POST /generate.
  if (route === '/generate') return tools.includes('qr') ? 'qr' : 'idphoto';
  return undefined;
}

/**
 * `Authorization: Bearer <key>` or `X-API-Key: <key>`; undefined when neither is sent (another
 * Authorization scheme, e.g. a proxy's Basic credentials, is not ours to read). A Bearer header without
 * one token, an empty X-API-Key, or two headers naming different keys are refused, never read as anonymous.
 */
function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  let bearer: string | undefined;
  if (authorization !== undefined && /^bearer(\s|$)/i.test(authorization)) {
    bearer = /^bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (bearer === undefined) throw invalid('The Authorization header must be "Bearer <key>" with one key.');
  }
  const header = request.headers['x-api-key'];
  const apiKey = header === undefined ? undefined : typeof header === 'string' ? header.trim() : '';
  if (apiKey === '') throw invalid('The X-API-Key header must carry one key.');
  if (bearer !== undefined && apiKey !== undefined && bearer !== apiKey) throw invalid('The Authorization and X-API-Key headers name different keys; send one.');
  return bearer ?? apiKey;
}

const invalid = (message: string): QrwError => new QrwError('INVALID_API_KEY', message);

/** Bytes of the connection so far: the request's are the difference at its end (Content-Length first, where declared). */
const socketBytes = (request: FastifyRequest): { read: number; written: number } | undefined => {
  const socket = request.raw.socket as { bytesRead?: unknown; bytesWritten?: unknown } | undefined;
  return typeof socket?.bytesRead === 'number' && typeof socket.bytesWritten === 'number' ? { read: socket.bytesRead, written: socket.bytesWritten } : undefined;
};

interface Tracked {
  readonly work: WorkCounts;
  readonly socketAtStart: { read: number; written: number } | undefined;
}

export function registerAuth(server: FastifyInstance, accounts: Accounts, config: Pick<Config, 'authMode' | 'tools'>): void {
  const tracked = new WeakMap<FastifyRequest, Tracked>();
  server.decorateRequest('account', undefined);

  async function admit(request: FastifyRequest, reply: FastifyReply): Promise<WorkCounts | undefined> {
    const route = request.routeOptions.url;
    if (!isApiRoute(route)) return undefined;
    let record: KeyRecord;
    try {
      const presented = presentedKey(request);
      if (presented === undefined) {
        if (config.authMode !== 'required') return undefined;
        reply.header('WWW-Authenticate', 'Bearer');
        throw new QrwError('API_KEY_REQUIRED', 'This API needs a key: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".');
      }
      record = await accounts.authenticate(presented);
    } catch (err) {
      if (err instanceof QrwError && err.code === 'INVALID_API_KEY') reply.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw err;
    }
    request.account = record;
    // Every later line of this request, the request log line included, names the key; the key itself is never logged.
    request.log = request.log.child({ key: record.name });
    const work = emptyWork();
    tracked.set(request, { work, socketAtStart: socketBytes(request) });
    const tool = toolOf(route, request.query, config.tools);
    if (tool && record.tools && !record.tools.includes(tool)) throw new QrwError('TOOL_NOT_ALLOWED', `This key may not use the ${tool} tool.`, { tool });
    const decision = await accounts.admit(record);
    if (decision) {
      reply.header('RateLimit-Limit', decision.limit).header('RateLimit-Remaining', decision.remaining).header('RateLimit-Reset', decision.resetSeconds);
      if (!decision.allowed) {
        reply.header('Retry-After', decision.resetSeconds);
        const per = decision.window === 'second' || decision.window === 'minute' ? 'rate' : 'quota';
        throw new QrwError('QUOTA_EXCEEDED', `This key is over its ${per} of ${decision.limit} per ${decision.window}; retry in ${decision.resetSeconds} s.`, {
          window: decision.window,
          limit: decision.limit,
        });
      }
    }
    return work;
  }

  server.addHook('onRequest', (request, reply, done) => {
    // The rest of the request runs inside its work counters' async context, so the engines count for its key.
    admit(request, reply).then(
      (work) => (work ? withWorkCounts(work, done) : done()),
      (err: unknown) => done(err as Error),
    );
  });

  server.addHook('onResponse', async (request, reply) => {
    const record = request.account;
    const track = tracked.get(request);
    if (!record || !track) return;
    const now = socketBytes(request);
    const declaredIn = Number(request.headers['content-length']);
    const declaredOut = Number(reply.getHeader('content-length'));
    const since = (at: number | undefined, end: number | undefined): number => (at !== undefined && end !== undefined ? Math.max(0, end - at) : 0);
    accounts.record(record, {
      route: `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      status: reply.statusCode,
      bytesIn: Number.isFinite(declaredIn) && declaredIn >= 0 ? declaredIn : since(track.socketAtStart?.read, now?.read),
      bytesOut: Number.isFinite(declaredOut) && declaredOut >= 0 ? declaredOut : since(track.socketAtStart?.written, now?.written),
      work: track.work,
    });
  });
}
