import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { callBack, checkCallbackUrl, isPrivateAddress } from '../../../src/jobs/callback.js';

describe('callback URLs', () => {
  it('knows private, loopback, link-local and mapped addresses from public ones', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1'])
      expect(isPrivateAddress(address), address).toBe(true);
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(isPrivateAddress(address), address).toBe(false);
  });

  it('refuses other schemes, credentials, private hosts and names that do not resolve', async () => {
    await expect(checkCallbackUrl('ftp://example.com/x', false)).rejects.toMatchObject({ code: 'INVALID_CALLBACK' });
    await expect(checkCallbackUrl('not a url', false)).rejects.toMatchObject({ code: 'INVALID_CALLBACK' });
    await expect(checkCallbackUrl('http://user:pw@example.com/', false)).rejects.toMatchObject({ code: 'INVALID_CALLBACK' });
    await expect(checkCallbackUrl('http://127.0.0.1:9/hook', false)).rejects.toMatchObject({ code: 'INVALID_CALLBACK', message: expect.stringContaining('JOB_CALLBACK_PRIVATE') });
    await expect(checkCallbackUrl('http://[::1]:9/hook', false)).rejects.toMatchObject({ code: 'INVALID_CALLBACK' });
    await expect(checkCallbackUrl('http://localhost:9/hook', false)).rejects.toMatchObject({ code: 'INVALID_CALLBACK' });
    await expect(checkCallbackUrl('http://no-such-host.invalid/hook', false)).rejects.toMatchObject({ code: 'INVALID_CALLBACK' });
    expect((await checkCallbackUrl('http://127.0.0.1:9/hook', true)).href).toBe('http://127.0.0.1:9/hook');
  });

  it('POSTs the body as JSON when allowed, and gives up quietly on a private address when not', async () => {
    const received: { body: string; type: string | undefined }[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ body, type: request.headers['content-type'] });
        response.end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      expect(await callBack(url, { id: 'x', state: 'completed' }, true, pino({ level: 'silent' }))).toBe(true);
      expect(received).toEqual([{ body: '{"id":"x","state":"completed"}', type: 'application/json' }]);
      expect(await callBack(url, { id: 'y' }, false, pino({ level: 'silent' }))).toBe(false);
      expect(received).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});
