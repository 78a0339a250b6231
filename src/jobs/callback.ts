/**
 * A job's callback URL: checked at submit (http or https; no private, loopback or link-local address
 * unless JOB_CALLBACK_PRIVATE allows it) and called with the job's view when it ends. The address
 * is checked again just before the call, so a name that has since moved to a private address is
 * refused then too.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Logger } from 'pino';
import { QrwError } from '../errors.js';

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** Tries of a callback, and the time each may take. */
const CALLBACK_TRIES = 3;
const CALLBACK_TIMEOUT_MS = 5000;
const CALLBACK_BACKOFF_MS = 1000;

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? PRIVATE.check(mapped[1]!, 'ipv4') : PRIVATE.check(address, 'ipv6');
}

/** The URL if it may be called; INVALID_CALLBACK naming the reason if not. */
export async function checkCallbackUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new QrwError('INVALID_CALLBACK', `"callback" is not a URL: ${JSON.stringify(raw.slice(0, 200))}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new QrwError('INVALID_CALLBACK', `A callback URL must be http or https, not ${url.protocol}`);
  if (url.username || url.password) throw new QrwError('INVALID_CALLBACK', 'A callback URL must not carry credentials.');
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true }).then(
        (found) => found.map((a) => a.address),
        () => [] as string[],
      );
  if (addresses.length === 0) throw new QrwError('INVALID_CALLBACK', `The callback's host ${host} does not resolve.`);
  const refused = addresses.find(isPrivateAddress);
  if (refused) throw new QrwError('INVALID_CALLBACK', `The callback's host resolves to a private address (${refused}); set JOB_CALLBACK_PRIVATE=true to allow it.`);
  return url;
}

/** POSTs `body` as JSON to the callback, a few times with a pause, never throwing: a failed call is logged. */
export async function callBack(raw: string, body: unknown, allowPrivate: boolean, logger: Logger): Promise<boolean> {
  for (let attempt = 1; attempt <= CALLBACK_TRIES; attempt++) {
    try {
      const url = await checkCallbackUrl(raw, allowPrivate);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) return true;
      logger.warn({ status: response.status, attempt }, 'job callback answered with an error status');
    } catch (err) {
      logger.warn({ err: (err as Error).message, attempt }, 'job callback failed');
      if (err instanceof QrwError) return false;
    }
    await new Promise((resolve) => setTimeout(resolve, CALLBACK_BACKOFF_MS * attempt));
  }
  return false;
}
