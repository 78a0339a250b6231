/** Keys through the API (an admin key only) and usage (a key's own; every key's for an admin). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { summary, type Accounts } from '../../accounts/accounts.js';
import { parsePolicy } from '../../accounts/policy.js';
import { QrwError } from '../../errors.js';
import { errorResponses } from '../schemas.js';

const ADMIN_KEYS_PATH = '/api/v1/admin/keys';

const KeySchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    admin: { type: 'boolean' },
    tools: { type: 'array', items: { type: 'string' } },
    limits: { type: 'object', additionalProperties: { type: 'integer' } },
    createdAt: { type: 'string' },
    revokedAt: { type: 'string' },
  },
} as const;

const UsageSchema = {
  type: 'object',
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string', description: "the key's name" },
          requests: { type: 'array', items: { type: 'object', properties: { route: { type: 'string' }, status: { type: 'integer' }, count: { type: 'integer' } } } },
          codes: { type: 'integer' },
          decoded: { type: 'integer' },
          idphotos: { type: 'integer' },
          bytesIn: { type: 'integer' },
          bytesOut: { type: 'integer' },
        },
      },
    },
  },
} as const;

interface CreateBody {
  name: string;
  admin?: boolean;
  tools?: string[];
  rate?: string[];
  quota?: string[];
}

function caller(request: FastifyRequest, admin: boolean): void {
  if (!request.account) throw new QrwError('API_KEY_REQUIRED', 'This route needs a key: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".');
  if (admin && !request.account.admin) throw new QrwError('ADMIN_REQUIRED', 'This route needs an admin key.');
}

export function registerAccountRoutes(app: FastifyInstance, accounts: Accounts): void {
  const adminOnly = { preHandler: async (request: FastifyRequest) => caller(request, true) };
  const tags = ['accounts'];
  app.post<{ Body: CreateBody }>(
    ADMIN_KEYS_PATH,
    {
      ...adminOnly,
      schema: {
        summary: 'Create a key (the secret is in this answer only)',
        tags,
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            admin: { type: 'boolean' },
            tools: { type: 'array', items: { type: 'string' }, description: 'qr, idphoto; absent: every tool' },
            rate: { type: 'array', items: { type: 'string' }, description: 'e.g. 50/s or 3000/min' },
            quota: { type: 'array', items: { type: 'string' }, description: 'e.g. 100000/day, 2000000/month' },
          },
        },
        response: { 201: { ...KeySchema, properties: { ...KeySchema.properties, key: { type: 'string' } } }, ...errorResponses(401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const { name, admin, tools, rate, quota } = request.body;
      const { key, record } = await accounts.create(name, parsePolicy({ admin, tools: tools?.join(','), rate, quota }));
      return reply.code(201).send({ ...summary(record), key });
    },
  );
  app.get(
    ADMIN_KEYS_PATH,
    {
      ...adminOnly,
      schema: { summary: 'List the keys (never their secrets)', tags, response: { 200: { type: 'object', properties: { keys: { type: 'array', items: KeySchema } } }, ...errorResponses(401, 403) } },
    },
    async () => ({ keys: (await accounts.list()).map(summary) }),
  );
  app.delete<{ Params: { name: string } }>(
    `${ADMIN_KEYS_PATH}/:name`,
    { ...adminOnly, schema: { summary: 'Revoke a key (kept, so its name and usage stay)', tags, response: { 200: KeySchema, ...errorResponses(401, 403, 404) } } },
    async (request) => summary(await accounts.revoke(request.params.name)),
  );
  app.get(
    '/api/v1/usage',
    {
      preHandler: async (request: FastifyRequest) => caller(request, false),
      schema: { summary: "Usage of the caller's key; of every key for an admin key", tags, response: { 200: UsageSchema, ...errorResponses(401) } },
    },
    async (request) => ({ keys: await accounts.usage(request.account!.admin ? undefined : request.account!.name) }),
  );
}
