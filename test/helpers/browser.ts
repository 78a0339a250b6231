import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import sharp from 'sharp';

export const CHROMIUM = '/usr/bin/chromium';
/** Debian's chromium; .ci/run installs it, so CI fails rather than skips without it. */
export const requireChromium = process.env.CI === 'true' || existsSync(CHROMIUM);
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

/** Headless Chromium as this machine allows it (closed network, root), with a fake camera showing `cameraVideo`. */
export function launchChromium(cameraVideo: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${cameraVideo}`,
    ],
  });
}

/**
 * A Y4M video (what Chromium's fake camera plays) of a grey frame with `image` in its middle:
 * the luma plane is the picture, chroma is neutral.
 */
export async function writeCameraVideo(file: string, image: Uint8Array, width = 640, height = 480, frames = 4): Promise<void> {
  const inner = Math.round(Math.min(width, height) * 0.6);
  const code = await sharp(image).resize(inner, inner, { kernel: 'nearest' }).png().toBuffer();
  const luma = await sharp({ create: { width, height, channels: 3, background: '#d8d8d8' } })
    .composite([{ input: code }])
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma.subarray(0, width * height), chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, ...Array<Buffer>(frames).fill(frame)]));
}

export function screenshotPath(name: string): string {
  const dir = join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

/** The bytes behind an element's `src` (an image) or `href` (a download link), as the page itself fetches them (blob: URLs included). */
export async function fetchedBytes(page: Page, selector: string): Promise<Buffer> {
  const base64 = await page.$eval(selector, async (element) => {
    const url = (element as HTMLImageElement).src || (element as HTMLAnchorElement).href;
    const blob = await (await fetch(url)).blob();
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  });
  return Buffer.from(base64, 'base64');
}

/**
 * A fresh page at `base`, an error on the page failing the test; every request it makes is recorded so
 * a test can check none leaves the origin. `init` runs in the page before its own scripts.
 */
export async function openPage(browser: Browser, base: string, options: BrowserContextOptions = {}, init?: () => void): Promise<{ page: Page; requests: string[] }> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, ...options });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(base + '/');
  return { page, requests };
}
