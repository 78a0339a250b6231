import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateQr, parseGenerateOptions } from '../../dist/src/index.js';
import { nodeDeflate } from '../../dist/src/platform/deflate.js';
import { launchChromium, requireChromium, screenshotPath, writeCameraVideo, fetchedBytes, openPage } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { hasZbar, zbarDecode } from '../helpers/zbar.js';
import { sharedPath } from '../helpers/shared.js';

const CORPUS = sharedPath('corpus/');
const URL_IMAGE = { file: join(CORPUS, 'zxing-cpp/qrcode-1/13.webp'), text: 'http://google.com/gwt/n?u=bluenile.com' };
const NO_CODE_IMAGE = join(CORPUS, 'zxing-cpp/falsepositives-1/01.webp');
const CAMERA_TEXT = 'https://example.com/badge/4711';

describe.runIf(requireChromium)('web page in headless Chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'qrw-page-'));

  beforeAll(async () => {
    server = await startTestServer();
    const code = generateQr(CAMERA_TEXT, parseGenerateOptions({ ec: 'M', scale: 8 }), nodeDeflate);
    await writeCameraVideo(join(dir, 'camera.y4m'), code.body);
    browser = await launchChromium(join(dir, 'camera.y4m'));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.shutdown();
  });

  const open = (options: BrowserContextOptions = {}) => openPage(browser, server.base, options);

  async function decodeWithService(bytes: Uint8Array): Promise<string[]> {
    const res = await fetch(`${server.base}/api/v1/decode`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(bytes) });
    return ((await res.json()) as { texts: string[] }).texts;
  }

  it('previews what is typed, and the preview decodes to the same text', async () => {
    const { page, requests } = await open();
    const text = 'QR Workshop 二维码 ✓ https://example.com/?q=1';
    await page.getByLabel('Text or link to encode').fill(text);
    await page.locator('#gen-image:not([hidden])').waitFor();
    await expect.poll(() => page.locator('#gen-info').textContent()).toMatch(/^Version \d+ \(\d+×\d+ modules\) · level H · \d+ bytes · \d+% of capacity$/);
    const png = await fetchedBytes(page, '#gen-image');
    expect(await decodeWithService(png)).toEqual([text]);
    if (hasZbar) {
      writeFileSync(join(dir, 'preview.png'), png);
      expect(zbarDecode(join(dir, 'preview.png'))).toEqual([text]);
    }
    await page.screenshot({ path: screenshotPath('generate'), fullPage: true });

    // The downloads are the same code as PNG and SVG.
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PNG' }).click()]);
    expect(pngDownload.suggestedFilename()).toBe('qr-code.png');
    expect(await decodeWithService(readFileSync((await pngDownload.path())!))).toEqual([text]);
    const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download SVG' }).click()]);
    expect(readFileSync((await svgDownload.path())!, 'utf8')).toMatch(/^<svg /);
    expect(requests.every((u) => u.startsWith(server.base) || u.startsWith('blob:') || u.startsWith('data:'))).toBe(true);
  });

  it('first load stays under 100 KB on the wire (HTML, JS, CSS; no .wasm)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sizes: Promise<{ url: string; bytes: number }>[] = [];
    page.on('requestfinished', (r) => sizes.push(r.sizes().then((s) => ({ url: r.url(), bytes: s.responseBodySize + s.responseHeadersSize }))));
    await page.goto(server.base + '/', { waitUntil: 'networkidle' });
    const loaded = await Promise.all(sizes);
    const total = loaded.reduce((sum, r) => sum + r.bytes, 0);
    console.log(
      `first load: ${loaded.length} requests, ${(total / 1024).toFixed(1)} KiB transferred (headers included):`,
      loaded.map((r) => `${r.url.replace(server.base, '')} ${r.bytes}`).join(', '),
    );
    expect(loaded.some((r) => r.url.endsWith('.wasm'))).toBe(false);
    expect(total).toBeLessThan(100 * 1024);
    await context.close();
  });

  it('applies the options: level, colours, transparency', async () => {
    const { page } = await open();
    await page.getByLabel('Error correction').selectOption('L');
    await page.getByLabel('Margin (modules)').fill('1');
    await page.getByLabel('Transparent background').check();
    await page.getByLabel('Text or link to encode').fill('options');
    await expect.poll(() => page.locator('#gen-info').textContent()).toContain('level L');
    const png = await fetchedBytes(page, '#gen-image');
    const { width, hasAlpha } = await import('sharp').then((m) => m.default(png).metadata());
    expect(hasAlpha).toBe(true); // the transparent background is a tRNS palette entry
    expect(width).toBe(320);
    expect(await decodeWithService(png)).toEqual(['options']);
  });

  it('copies the code image and a decoded text to the clipboard', async () => {
    const { page } = await open({ permissions: ['clipboard-read', 'clipboard-write'] });
    await page.getByLabel('Text or link to encode').fill('clipboard');
    await page.locator('#gen-image:not([hidden])').waitFor();
    await page.getByRole('button', { name: 'Copy image' }).click();
    await expect.poll(() => page.locator('#gen-status').textContent()).toBe('Image copied to the clipboard.');
    const copied = await page.evaluate(async () => {
      const [item] = await navigator.clipboard.read();
      const blob = await item!.getType('image/png');
      return Array.from(new Uint8Array(await blob.arrayBuffer()));
    });
    expect(await decodeWithService(Uint8Array.from(copied))).toEqual(['clipboard']);

    await page.getByLabel('Choose images').setInputFiles([{ name: 'code.webp', mimeType: 'image/webp', buffer: readFileSync(URL_IMAGE.file) }]);
    await page.getByRole('button', { name: `Copy: ${URL_IMAGE.text}` }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(URL_IMAGE.text);
  });

  it('says in words why a text cannot be encoded, in the chosen language', async () => {
    const { page } = await open();
    await page.getByLabel('Text or link to encode').fill('x'.repeat(2000));
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('too long for a QR code');
    expect(await page.locator('#gen-image').isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Download PNG' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => alert.textContent()).toContain('文字太长');
    await page.screenshot({ path: screenshotPath('generate-error-zh'), fullPage: true });
    // Lowering the level to L makes it fit: the error goes away.
    await page.getByLabel('纠错等级').selectOption('L');
    await page.locator('#gen-image:not([hidden])').waitFor();
    expect(await alert.isHidden()).toBe(true);
  });

  it('reads uploaded images: the text as a link, the code outlined, and "no code" said plainly', async () => {
    const { page } = await open();
    await page.getByLabel('Choose images').setInputFiles([
      { name: '13.webp', mimeType: 'image/webp', buffer: readFileSync(URL_IMAGE.file) },
      { name: 'no-code.webp', mimeType: 'image/webp', buffer: readFileSync(NO_CODE_IMAGE) },
      { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a png at all') },
    ]);
    const link = page.getByRole('link', { name: URL_IMAGE.text });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(URL_IMAGE.text);
    await page.getByText('No code found in this image.').waitFor();
    await expect.poll(() => page.locator('.card .status.error').textContent()).toContain('not an image the service can read');
    expect(await page.locator('.card polygon.outline').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('recognise-upload'), fullPage: true });
  });

  it('reads an image pasted with Ctrl+V and one dropped on the drop zone', async () => {
    const { page } = await open();
    const base64 = readFileSync(URL_IMAGE.file).toString('base64');
    for (const event of ['paste', 'drop'] as const) {
      await page.evaluate(
        ({ base64, event }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const data = new DataTransfer();
          data.items.add(new File([bytes], `${event}.webp`, { type: 'image/webp' }));
          const target = event === 'paste' ? document : document.getElementById('drop')!;
          const e = event === 'paste' ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true }) : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
          target.dispatchEvent(e);
        },
        { base64, event },
      );
    }
    await expect.poll(() => page.getByRole('link', { name: URL_IMAGE.text }).count()).toBe(2);
    expect(await page.getByRole('heading', { name: 'Pasted image' }).count()).toBe(1);
  });

  it('scans with the camera in a worker, the .wasm from the service itself', async () => {
    const { page, requests } = await open();
    await page.getByRole('button', { name: 'Scan with camera' }).click();
    const found = page.getByRole('link', { name: CAMERA_TEXT });
    await found.waitFor({ timeout: 20_000 });
    await page.screenshot({ path: screenshotPath('camera'), fullPage: true });
    expect(requests.some((u) => u.startsWith(server.base) && u.endsWith('.wasm'))).toBe(true);
    expect(requests.every((u) => u.startsWith(server.base) || u.startsWith('blob:') || u.startsWith('data:'))).toBe(true);
    await page.getByRole('button', { name: 'Stop camera' }).click();
    expect(await page.getByRole('button', { name: 'Scan with camera' }).isVisible()).toBe(true);
  });

  it('explains a refused camera permission, and loads no .wasm before the camera is used', async () => {
    const { page, requests } = await open();
    expect(requests.some((u) => u.endsWith('.wasm'))).toBe(false);
    await page.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await page.getByRole('button', { name: 'Scan with camera' }).click();
    await expect.poll(() => page.locator('#cam-status').textContent()).toContain('Camera permission was refused');
  });

  it('speaks Chinese to a Chinese browser and fits a 375 px phone screen', async () => {
    const { page } = await open({ locale: 'zh-CN', viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    expect(await page.locator('h1').textContent()).toBe('QR 工坊');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByLabel('要编码的文字或链接').fill('手机');
    await page.locator('#gen-image:not([hidden])').waitFor();
    await page.getByLabel('选择图片').setInputFiles([URL_IMAGE.file]);
    await page.getByRole('link', { name: URL_IMAGE.text }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('phone-zh'), fullPage: true });
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('h1').textContent()).toBe('QR Workshop');
  });

  it('works from the keyboard alone', async () => {
    const { page } = await open();
    // Tab order: skip link, language switch, the selected tool tab, then the text box.
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('gen-text');
    await page.keyboard.type('keyboard');
    await page.locator('#gen-image:not([hidden])').waitFor();
    // Every form control has a label.
    const unlabelled = await page.$$eval('input, select, textarea', (els) => els.filter((e) => (e as HTMLInputElement).labels?.length === 0).map((e) => e.id));
    expect(unlabelled).toEqual([]);
    // The file picker is reachable with Tab (it is visually hidden behind its label).
    for (let i = 0; i < 12 && (await page.evaluate(() => document.activeElement?.id)) !== 'rec-files'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('rec-files');
  });
});
