import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium, screenshotPath, fetchedBytes, openPage, writeCameraVideo } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { sharedPath } from '../helpers/shared.js';
import { makeZip } from '../helpers/zips.js';

const ROWS = 40;
const PHOTOS = ['1', '13', '17'].map((n) => ({
  name: `${n}.webp`,
  bytes: readFileSync(sharedPath(`corpus/zxing-cpp/qrcode-1/${n}.webp`)),
  text: readFileSync(sharedPath(`corpus/zxing-cpp/qrcode-1/${n}.txt`), 'utf8').replace(/\n$/, ''),
}));

async function entryNames(zip: Buffer): Promise<string[]> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const names: string[] = [];
  for await (const entry of file.eachEntry()) names.push(entry.fileName);
  return names;
}

describe.runIf(requireChromium)('the Batch tab in headless Chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'qrw-batch-page-'));

  beforeAll(async () => {
    server = await startTestServer({ TOOLS: 'qr' });
    // No camera is used here; Chromium's fake one still needs a video.
    await writeCameraVideo(join(dir, 'camera.y4m'), PHOTOS[0]!.bytes);
    browser = await launchChromium(join(dir, 'camera.y4m'));
    const csv = ['text,filename', ...Array.from({ length: ROWS }, (_, i) => `https://example.com/b/${i + 1},${i === 0 ? 'first' : ''}`)];
    writeFileSync(join(dir, 'rows.csv'), csv.join('\n') + '\n');
    writeFileSync(join(dir, 'photos.zip'), await makeZip(PHOTOS.map((p) => ({ name: p.name, bytes: p.bytes }))));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.shutdown();
  });

  async function batchTab(page: Page): Promise<void> {
    await page.getByRole('tab', { name: 'Batch' }).click();
    await page.locator('#view-batch').waitFor({ state: 'visible' });
  }

  it('a CSV of rows: generate is chosen, the job runs to completed, the link serves the ZIP; then in Chinese', async () => {
    const { page, requests } = await openPage(browser, server.base);
    await batchTab(page);
    expect(new URL(page.url()).hash).toBe('#batch');
    expect(await page.getByRole('button', { name: 'Start' }).isDisabled()).toBe(true);
    await page.getByLabel('Choose a file').setInputFiles(join(dir, 'rows.csv'));
    expect(await page.locator('#batch-file-info').textContent()).toMatch(/^Rows: rows\.csv \(\d+ KB\)$/);
    expect(await page.getByLabel('Generate a code for each row (a ZIP)').isChecked()).toBe(true);
    await page.getByLabel('Correction level').selectOption('Q');
    await page.getByLabel('Image size (px)').fill('240');
    await page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => page.locator('#batch-state').textContent(), { timeout: 30_000 }).toBe(`Done: ${ROWS} of ${ROWS}, 0 failed.`);
    expect(await page.$eval('#batch-progress', (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max])).toEqual([ROWS, ROWS]);
    expect(await page.getByRole('button', { name: 'Cancel' }).isHidden()).toBe(true);

    const link = page.getByRole('link', { name: 'Download the result' });
    expect(await link.getAttribute('href')).toMatch(/^\/api\/v1\/jobs\/[^/]+\/result$/);
    const zip = await fetchedBytes(page, '#batch-download');
    const names = await entryNames(zip);
    expect(names.filter((n) => n.endsWith('.png'))).toHaveLength(ROWS);
    expect(names).toContain('first.png');
    expect(names).toContain('manifest.csv');
    await page.screenshot({ path: screenshotPath('batch'), fullPage: true });
    expect(requests.every((u) => u.startsWith(server.base) || u.startsWith('blob:') || u.startsWith('data:'))).toBe(true);

    await page.getByRole('button', { name: '中文' }).click();
    expect(await page.getByRole('tab', { name: '批量' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#batch-state').textContent()).toBe(`完成：${ROWS} / ${ROWS}，失败 0。`);
    expect(await page.getByRole('link', { name: '下载结果' }).isVisible()).toBe(true);
    expect(await page.getByLabel('为每一行生成二维码（ZIP）').isChecked()).toBe(true);
    await page.screenshot({ path: screenshotPath('batch-zh'), fullPage: true });
  });

  it('a ZIP of corpus photos: decode is chosen, completed, the NDJSON holds each photo’s text', async () => {
    const { page } = await openPage(browser, server.base);
    await batchTab(page);
    await page.getByLabel('Choose a file').setInputFiles(join(dir, 'photos.zip'));
    expect(await page.getByLabel('Read the codes in each image (a list)').isChecked()).toBe(true);
    expect(await page.locator('#batch-gen-options').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => page.locator('#batch-state').textContent(), { timeout: 30_000 }).toBe(`Done: ${PHOTOS.length} of ${PHOTOS.length}, 0 failed.`);
    const lines = (await fetchedBytes(page, '#batch-download'))
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; texts: string[] });
    expect(lines.map((l) => [l.file, l.texts])).toEqual(PHOTOS.map((p) => [p.name, [p.text]]));
  });

  it('the API’s error in words: rows sent for decoding are refused; an unknown file is named as such', async () => {
    const { page } = await openPage(browser, server.base);
    await batchTab(page);
    await page.getByLabel('Choose a file').setInputFiles(join(dir, 'rows.csv'));
    await page.getByLabel('Read the codes in each image (a list)').check();
    await page.getByRole('button', { name: 'Start' }).click();
    const alert = page.locator('#batch-error');
    await expect.poll(() => alert.textContent()).toMatch(/^This file does not suit the chosen task: A decode job takes application\/zip/);
    expect(await page.locator('#batch-job').isHidden()).toBe(true);

    writeFileSync(join(dir, 'no-text.csv'), 'name\nx\n');
    await page.getByLabel('Choose a file').setInputFiles(join(dir, 'no-text.csv'));
    await page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => alert.textContent()).toBe('The file cannot be read as rows: The CSV header has no "text" column.');

    await page.getByLabel('Choose a file').setInputFiles([{ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF') }]);
    expect(await alert.textContent()).toBe('This file is neither rows (.csv, .ndjson, .jsonl, .json) nor a ZIP nor images.');
    expect(await page.getByRole('button', { name: 'Start' }).isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('batch-error'), fullPage: true });
  });

  it('the tab is the last one for the keyboard (End; ArrowRight wraps to the first) and opens from its #batch link', async () => {
    const { page } = await openPage(browser, server.base);
    await page.getByRole('tab', { name: 'QR codes' }).focus();
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-batch');
    expect(await page.locator('#view-batch').isVisible()).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-qr');
    await page.goto('about:blank');
    await page.goto(server.base + '/#batch');
    expect(await page.getByRole('tab', { name: 'Batch' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#view-qr').isHidden()).toBe(true);
  });

  it('Cancel deletes a running job', async () => {
    const rows = ['text', ...Array.from({ length: 150_000 }, (_, i) => `row ${i}`)];
    writeFileSync(join(dir, 'big.csv'), rows.join('\n'));
    const { page } = await openPage(browser, server.base);
    await batchTab(page);
    await page.getByLabel('Choose a file').setInputFiles(join(dir, 'big.csv'));
    const [submitted] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/v1/jobs')), page.getByRole('button', { name: 'Start' }).click()]);
    expect(submitted.status()).toBe(202);
    const statusUrl = submitted.headers()['location']!;
    await page.getByRole('button', { name: 'Cancel' }).waitFor({ state: 'visible', timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('#batch-state').textContent()).toMatch(/^Cancelled after [\d,]+ of 150,000\.$/);
    expect(await page.getByRole('link', { name: 'Download the result' }).isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Start' }).isEnabled()).toBe(true);
    // On the server too: the job is cancelled (or already removed), never completed.
    const after = await fetch(server.base + statusUrl);
    if (after.status !== 404) expect(((await after.json()) as { state: string }).state).toBe('cancelled');
    await page.screenshot({ path: screenshotPath('batch-cancelled'), fullPage: true });
  });
});
