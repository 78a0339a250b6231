import { asApiError, type ApiError } from './api.js';
import { acceptFiles, byId, el } from './dom.js';
import { hasMessage, lang, onLanguageChange, ruleName, t, type MessageKey } from './i18n.js';
import { fetchCatalogue, imageBlob, makeIdPhoto, type Catalogue, type EncodedImage, type IdPhotoResult, type IdSpec, type MattingEngine, type SheetSize } from './idphoto-api.js';
import { drawGuides } from './idphoto-guides.js';

/** What is shown after a Make: the answer and the object URLs of its images. */
interface Shown {
  result: IdPhotoResult;
  spec: IdSpec | undefined;
  /** The custom size as it was asked for, named in the page's language. */
  custom: { width: string; height: string; unit: string } | undefined;
  urls: string[];
}

/** A message the panel shows: a key with its values, or an API error, so that it follows the language. */
type Message = { key: MessageKey; values?: Record<string, string | number> } | { error: ApiError } | undefined;

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png' };
/** The spec chooser's entry for a size of the user's own (spec=custom with width, height, unit and dpi). */
const CUSTOM = 'custom';
const MM_PER_INCH = 25.4;

/** The "ID photo" tab: a portrait (file, drop, paste or camera), a spec, a background, a sheet; the photo with its guides and report. */
export function setupIdPhotoPanel(): { show: () => void; hide: () => void } {
  const form = byId('id-form', HTMLFormElement);
  const view = byId('view-id', HTMLDivElement);
  const drop = byId('id-drop', HTMLDivElement);
  const file = byId('id-file', HTMLInputElement);
  const sourceBox = byId('id-source', HTMLDivElement);
  const sourceImage = byId('id-source-image', HTMLImageElement);
  const sourceName = byId('id-source-name', HTMLSpanElement);
  const search = byId('id-spec-search', HTMLInputElement);
  const specSelect = byId('id-spec', HTMLSelectElement);
  const specInfo = byId('id-spec-info', HTMLParagraphElement);
  const specChip = byId('id-chip-spec', HTMLSpanElement);
  const customBox = byId('id-custom', HTMLDivElement);
  const customWidth = byId('id-width', HTMLInputElement);
  const customHeight = byId('id-height', HTMLInputElement);
  const customUnit = byId('id-unit', HTMLSelectElement);
  const customDpi = byId('id-dpi', HTMLInputElement);
  const pick = byId('id-pick', HTMLInputElement);
  const engineField = byId('id-engine-field', HTMLDivElement);
  const engineSelect = byId('id-engine', HTMLSelectElement);
  const engineInfo = byId('id-engine-info', HTMLParagraphElement);
  const customColour = byId('id-bg-colour', HTMLInputElement);
  const customRadio = byId('id-bg-custom', HTMLInputElement);
  const fill = byId('id-fill', HTMLSelectElement);
  const format = byId('id-format', HTMLSelectElement);
  const maxKb = byId('id-maxkb', HTMLInputElement);
  const hires = byId('id-hires', HTMLInputElement);
  const sources = byId('id-spec-sources', HTMLDetailsElement);
  const sourceList = byId('id-spec-source-list', HTMLUListElement);
  const sheetSelect = byId('id-sheet', HTMLSelectElement);
  const orientation = byId('id-orientation', HTMLSelectElement);
  const cutLines = byId('id-cutlines', HTMLInputElement);
  const make = byId('id-make', HTMLButtonElement);
  const busy = byId('id-busy', HTMLParagraphElement);
  const error = byId('id-error', HTMLParagraphElement);
  const resultBox = byId('id-result', HTMLDivElement);
  const placeholder = byId('id-placeholder', HTMLParagraphElement);
  const output = byId('id-output', HTMLDivElement);
  const photo = byId('id-photo', HTMLImageElement);
  const overlay = byId('id-overlay', HTMLCanvasElement);
  const photoInfo = byId('id-photo-info', HTMLElement);
  const guides = byId('id-guides', HTMLInputElement);
  const downloadPhoto = byId('id-download', HTMLAnchorElement);
  const downloadSheet = byId('id-download-sheet', HTMLAnchorElement);
  const downloadHires = byId('id-download-hires', HTMLAnchorElement);
  const verdict = byId('id-verdict', HTMLParagraphElement);
  const warnings = byId('id-warnings', HTMLUListElement);
  const rules = byId('id-rules', HTMLUListElement);
  const measures = byId('id-measures', HTMLElement);
  const sheetFigure = byId('id-sheet-figure', HTMLElement);
  const sheetImage = byId('id-sheet-image', HTMLImageElement);
  const sheetInfo = byId('id-sheet-info', HTMLElement);

  let catalogue: Catalogue | undefined;
  let loading: Promise<void> | undefined;
  let source: { blob: Blob; name: string; url: string } | undefined;
  let shown: Shown | undefined;
  let inFlight: AbortController | undefined;
  let errorMessage: Message;
  let busyMessage: Message;
  let specMessage: Message;

  const say = (target: HTMLElement, message: Message): void => {
    target.textContent = !message ? '' : 'error' in message ? errorText(message.error) : t(message.key, message.values);
  };
  const showError = (message: Message): void => {
    errorMessage = message;
    error.hidden = !message;
    say(error, message);
  };
  const showBusy = (message: Message): void => {
    busyMessage = message;
    say(busy, message);
  };

  // ---- the catalogue, loaded when the tab is first shown ----

  function ensureCatalogue(): void {
    if (catalogue || loading) return;
    loading = fetchCatalogue().then(
      (loaded) => {
        catalogue = loaded;
        renderSheets();
        renderEngines();
        renderSpecs();
        updateMake();
      },
      (err: unknown) => {
        loading = undefined; // tried again when the tab is shown again
        showError({ error: asApiError(err) });
      },
    );
  }

  const specById = (id: string): IdSpec | undefined => catalogue?.specs.find((s) => s.id === id);
  const currentSpec = (): IdSpec | undefined => specById(specSelect.value);
  const isCustom = (): boolean => specSelect.value === CUSTOM && !specSelect.disabled;
  const customFields = [customWidth, customHeight, customDpi];
  const customValid = (): boolean => customFields.every((input) => input.value !== '' && input.validity.valid);

  function regionName(region: string, language = lang()): string {
    if (region === 'studio') return t('regionStudio');
    try {
      return new Intl.DisplayNames([language === 'zh' ? 'zh-CN' : 'en'], { type: 'region' }).of(region) ?? region;
    } catch {
      return region;
    }
  }

  function sizeText(spec: IdSpec): string {
    const n = (v: number): string => String(Math.round(v * 10) / 10);
    return 'widthMm' in spec.size ? t('idSpecMm', { width: n(spec.size.widthMm), height: n(spec.size.heightMm) }) : t('idSpecPx', { width: spec.size.widthPx, height: spec.size.heightPx });
  }

  /** Every word a search can match: the id, both names, the country in both languages, the size. */
  function haystack(spec: IdSpec): string {
    const size = 'widthMm' in spec.size ? `${spec.size.widthMm}x${spec.size.heightMm}mm` : `${spec.size.widthPx}x${spec.size.heightPx}px`;
    return [spec.id, spec.name.en, spec.name.zh, spec.region, regionName(spec.region, 'en'), regionName(spec.region, 'zh'), size].join(' ').toLowerCase();
  }

  /** The spec list, grouped by region (studio sizes first, then as the catalogue orders them), filtered by the search words. */
  function renderSpecs(): void {
    if (!catalogue) return;
    const keep = specSelect.value || (lang() === 'zh' ? 'cn-1inch' : 'us-passport');
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const groups = new Map<string, HTMLOptGroupElement>();
    const regions = [...new Set(['studio', ...catalogue.specs.map((s) => s.region)])];
    for (const region of regions) groups.set(region, el('optgroup', { label: regionName(region) }));
    let matched = 0;
    for (const spec of catalogue.specs) {
      const text = haystack(spec);
      if (!words.every((w) => text.includes(w))) continue;
      matched++;
      groups.get(spec.region)!.append(el('option', { value: spec.id, selected: spec.id === keep }, `${spec.name[lang()]} · ${sizeText(spec)}`));
    }
    // The custom size: always there unless the search words are for something else.
    const customText = ['custom', '自定义', t('specCustom')].join(' ').toLowerCase();
    const custom = words.every((w) => customText.includes(w)) ? [el('option', { value: CUSTOM, selected: keep === CUSTOM }, t('specCustom'))] : [];
    matched += custom.length;
    specSelect.replaceChildren(...[...groups.values()].filter((g) => g.children.length > 0), ...custom);
    specSelect.disabled = matched === 0;
    specMessage = matched === 0 ? { key: 'idNoMatch', values: { query: search.value.trim() } } : undefined;
    renderSpecInfo();
    updateMake();
  }

  function renderSpecInfo(): void {
    const spec = currentSpec();
    sources.hidden = !spec;
    customBox.hidden = !isCustom();
    if (isCustom()) return renderCustomInfo();
    if (!spec) {
      say(specInfo, specMessage);
      specChip.style.removeProperty('--chip');
      return;
    }
    const head = spec.pixels.head ? `${Math.round(spec.pixels.head.min)}–${Math.round(spec.pixels.head.max)} px ` : '';
    const known = (key: string, fallback: string): string => (hasMessage(key) ? t(key) : fallback);
    const info = t('idSpecInfo', { size: sizeText(spec), dpi: spec.dpi, head: head + known(`crown_${spec.crown}`, spec.crown), status: known(`status_${spec.status}`, spec.status) });
    const conflicts = (spec.conflicts ?? []).map((c) => t('idConflict', { rule: ruleName(c.rule), values: c.values.join(' / ') }));
    specInfo.replaceChildren(info, ...conflicts.map((c) => el('span', { className: 'conflict' }, c)));
    sourceList.replaceChildren(...spec.sources.map((s) => el('li', {}, s)));
    specChip.style.setProperty('--chip', spec.backgrounds[0] ?? '#ffffff');
  }

  /** The custom size in words, with its size in pixels (as the service rounds it). */
  function renderCustomInfo(): void {
    const px = customUnit.value === 'px';
    for (const input of [customWidth, customHeight]) input.step = px ? '1' : 'any';
    specChip.style.setProperty('--chip', '#ffffff');
    if (!customValid()) {
      specInfo.textContent = t('idCustomInvalid');
      return;
    }
    const dpi = Number(customDpi.value);
    const pixels = (v: string): number => (px ? Number(v) : Math.round((Number(v) / MM_PER_INCH) * dpi));
    const unit = t(px ? 'unitPx' : 'unitMm');
    specInfo.textContent = t('idCustomInfo', { width: customWidth.value, height: customHeight.value, unit, dpi, pixels: `${pixels(customWidth.value)}×${pixels(customHeight.value)}` });
  }

  /** The matting engines the service lists; one not installed here is shown, disabled, with the reason. */
  function renderEngines(): void {
    const engines = catalogue?.engines ?? [];
    engineField.hidden = engines.length === 0;
    if (engines.length === 0) return;
    const usable = engines.filter((e) => e.available);
    const keep = engines.find((e) => e.available && e.name === engineSelect.value) ?? usable.find((e) => e.default) ?? usable[0];
    engineSelect.replaceChildren(
      ...engines.map((engine) => el('option', { value: engine.name, disabled: !engine.available, selected: engine === keep, title: engineTitle(engine) }, engineLabel(engine))),
    );
    const missing = engines.filter((e) => !e.available);
    engineInfo.hidden = missing.length === 0;
    engineInfo.replaceChildren(...missing.map((e) => el('span', { className: 'engine-missing' }, t('engineMissingInfo', { name: e.name, reason: e.reason ?? '' }))));
  }

  /** "selfie — Apache-2.0 (default)", "isnet — AGPL-3.0 — not installed": the licence without its note, which the title has. */
  function engineLabel(engine: MattingEngine): string {
    const licence = engine.licence.split(' (')[0] ?? engine.licence;
    const parts = [engine.name, licence + (engine.default ? ` (${t('engineDefault')})` : '')];
    if (!engine.available) parts.push(t('engineMissing'));
    return parts.join(' — ');
  }

  function engineTitle(engine: MattingEngine): string {
    const head = `${engine.name} — ${engine.licence}`;
    return engine.available ? [head, engine.model].filter(Boolean).join(' — ') : `${head} — ${t('engineMissing')}: ${engine.reason ?? ''}`;
  }

  function sheetLabel(sheet: SheetSize): string {
    const alias = lang() === 'zh' ? sheet.aliases.filter((a) => /\p{Script=Han}/u.test(a)).at(-1) : sheet.aliases.find((a) => a.includes('inch'));
    return alias ? `${sheet.name} (${alias})` : sheet.name;
  }

  function renderSheets(): void {
    if (!catalogue) return;
    const keep = sheetSelect.value;
    const none = sheetSelect.options[0]!;
    sheetSelect.replaceChildren(none, ...catalogue.sheets.map((s) => el('option', { value: s.id, selected: s.id === keep }, sheetLabel(s))));
  }

  // ---- the portrait ----

  function setSource(blob: Blob, name: string): void {
    if (source) URL.revokeObjectURL(source.url);
    source = { blob, name, url: URL.createObjectURL(blob) };
    sourceImage.hidden = false;
    sourceImage.src = source.url;
    sourceImage.alt = name;
    sourceName.textContent = name;
    sourceBox.hidden = false;
    showError(undefined);
    updateMake();
  }
  // A file the browser cannot show is still sent: the service says what is wrong with it.
  sourceImage.addEventListener('error', () => (sourceImage.hidden = true));

  acceptFiles(file, drop, (files) => {
    const picked = files[0];
    if (picked) setSource(picked, picked.name);
  });
  document.addEventListener('paste', (e) => {
    if (view.hidden) return;
    const picked = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (!picked) return;
    e.preventDefault();
    setSource(picked, t('pasted'));
  });

  const camera = setupPortraitCamera((blob) => setSource(blob, `${t('idCaptured')}.jpg`));

  // ---- options ----

  search.addEventListener('input', renderSpecs);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && !specSelect.disabled) {
      e.preventDefault();
      specSelect.focus();
    }
  });
  specSelect.addEventListener('change', () => {
    renderSpecInfo();
    updateMake();
  });
  for (const input of [...customFields, customUnit]) {
    input.addEventListener('input', () => {
      renderSpecInfo();
      updateMake();
    });
  }
  customColour.addEventListener('input', () => (customRadio.checked = true));
  sheetSelect.addEventListener('change', () => {
    orientation.disabled = cutLines.disabled = sheetSelect.value === '';
  });
  guides.addEventListener('change', redrawGuides);

  function updateMake(): void {
    const sized = isCustom() ? customValid() : currentSpec() !== undefined;
    make.disabled = !source || !sized || inFlight !== undefined;
  }

  function background(): string {
    const picked = form.querySelector<HTMLInputElement>('input[name="background"]:checked')?.value ?? 'spec';
    const colour = picked === 'custom' ? customColour.value : picked;
    return fill.value === 'flat' ? colour : `${fill.value}:${colour}`;
  }

  function options(): Record<string, string> {
    const cutout = format.value === 'cutout';
    const chosen: Record<string, string> = { spec: specSelect.value, background: background(), format: cutout ? 'png' : format.value };
    if (isCustom()) Object.assign(chosen, { width: customWidth.value, height: customHeight.value, unit: customUnit.value, dpi: customDpi.value });
    if (cutout) chosen['output'] = 'cutout';
    if (maxKb.value !== '' && maxKb.validity.valid) chosen['maxKb'] = maxKb.value;
    if (hires.checked) chosen['hires'] = 'true';
    if (pick.checked) chosen['pick'] = 'largest';
    if (!engineField.hidden && engineSelect.value !== '') chosen['engine'] = engineSelect.value;
    if (sheetSelect.value !== '') Object.assign(chosen, { sheet: sheetSelect.value, orientation: orientation.value, cutLines: String(cutLines.checked) });
    return chosen;
  }

  // ---- making the photo ----

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });

  async function run(): Promise<void> {
    if (!source) return showError({ key: 'idNoImage' });
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const spec = currentSpec();
    const started = performance.now();
    showError(undefined);
    showBusy({ key: 'idMaking' });
    make.textContent = t('idMaking');
    resultBox.setAttribute('aria-busy', 'true');
    resultBox.classList.add('busy');
    updateMake();
    try {
      const result = await makeIdPhoto(source.blob, source.name || 'portrait', options(), controller.signal);
      show(result, spec, isCustom() ? { width: customWidth.value, height: customHeight.value, unit: customUnit.value } : undefined);
      showBusy({ key: 'idMade', values: { seconds: ((performance.now() - started) / 1000).toFixed(1) } });
    } catch (err) {
      if (controller.signal.aborted) return;
      clear();
      showBusy(undefined);
      showError({ error: asApiError(err) });
    } finally {
      if (inFlight === controller) {
        inFlight = undefined;
        make.textContent = t('idMake');
        resultBox.removeAttribute('aria-busy');
        resultBox.classList.remove('busy');
        updateMake();
      }
    }
  }

  function clear(): void {
    for (const url of shown?.urls ?? []) URL.revokeObjectURL(url);
    shown = undefined;
    output.hidden = true;
    placeholder.hidden = false;
  }

  function link(anchor: HTMLAnchorElement, image: EncodedImage, name: string): string {
    const url = URL.createObjectURL(imageBlob(image));
    anchor.href = url;
    anchor.download = `${name}.${EXTENSIONS[image.contentType] ?? 'img'}`;
    anchor.type = image.contentType;
    return url;
  }

  function show(result: IdPhotoResult, spec: IdSpec | undefined, custom: Shown['custom']): void {
    clear();
    const name = `id-photo-${result.report.spec.id}`;
    const photoUrl = link(downloadPhoto, result.photo, name);
    photo.src = photoUrl;
    overlay.width = result.photo.width;
    overlay.height = result.photo.height;
    const urls = [photoUrl];
    downloadHires.hidden = !result.hires;
    if (result.hires) urls.push(link(downloadHires, result.hires, `${name}-${result.hires.dpi}dpi`));
    downloadSheet.hidden = sheetFigure.hidden = !result.sheet;
    if (result.sheet) {
      const sheetUrl = link(downloadSheet, result.sheet, `${name}-sheet`);
      sheetImage.src = sheetUrl;
      urls.push(sheetUrl);
    }
    shown = { result, spec, custom, urls };
    placeholder.hidden = true;
    output.hidden = false;
    redrawGuides();
    renderReport();
    // On a narrow screen the result is below the form: bring it into view.
    photo.closest('figure')?.scrollIntoView({ block: 'nearest' });
  }

  function redrawGuides(): void {
    if (shown) drawGuides(overlay, shown.result.report, shown.spec?.pixels, guides.checked);
  }

  function renderReport(): void {
    if (!shown) return;
    const { result, spec, custom } = shown;
    const report = result.report;
    const customName = custom && t('idCustomName', { width: custom.width, height: custom.height, unit: t(custom.unit === 'px' ? 'unitPx' : 'unitMm') });
    const specName = spec ? spec.name[lang()] : (customName ?? report.spec.name);
    photo.alt = t('idPhotoAlt');
    const file = report.file;
    photoInfo.textContent = t('idPhotoInfo', { width: result.photo.width, height: result.photo.height, dpi: result.photo.dpi, kb: file?.kb ?? '', format: (file?.format ?? '').toUpperCase() });
    if (result.sheet) {
      sheetImage.alt = t('idSheetAlt');
      sheetInfo.textContent = t('idSheetInfo', { width: result.sheet.width, height: result.sheet.height, dpi: result.sheet.dpi });
    }

    const failed = report.rules.filter((r) => !r.passed).length;
    verdict.textContent = failed === 0 ? t('idPassedAll', { count: report.rules.length, spec: specName }) : t('idFailedSome', { failed, count: report.rules.length, spec: specName });
    verdict.className = `verdict ${failed === 0 && report.passed ? 'pass' : 'fail'}`;

    warnings.replaceChildren(...report.warnings.map((w) => el('li', {}, el('strong', {}, `${t('idWarning')}: `), w)));
    warnings.hidden = report.warnings.length === 0;

    rules.replaceChildren(
      ...report.rules.map((rule) =>
        el(
          'li',
          { className: rule.passed ? 'pass' : 'fail' },
          el('span', { className: 'mark', ariaHidden: 'true' }, rule.passed ? '✓' : '✗'),
          el('span', { className: 'visually-hidden' }, `${rule.passed ? t('idPassed') : t('idFailed')}: `),
          el('span', { className: 'rule-name' }, ruleName(rule.rule)),
          el('span', { className: 'rule-value' }, rule.value),
          el('span', { className: 'rule-expected' }, t('idExpected', { expected: rule.expected })),
        ),
      ),
    );

    const rows: [MessageKey, string][] = [];
    const measure = (m: { px: number; mm: number; percent: number }): string => `${m.mm.toFixed(1)} mm · ${Math.round(m.px)} px · ${m.percent.toFixed(1)}%`;
    if (report.headHeight) rows.push(['mHead', measure(report.headHeight)]);
    if (report.crownMargin) rows.push(['mCrown', measure(report.crownMargin)]);
    if (report.eyeLine) rows.push(['mEyes', t('mEyesValue', { mm: report.eyeLine.fromBottomMm.toFixed(1), percent: report.eyeLine.percentFromBottom.toFixed(1) })]);
    if (report.roll) rows.push(['mRoll', `${report.roll.measured.toFixed(1)}°`]);
    if (report.face?.yaw !== undefined) rows.push(['mYaw', `${Math.abs(report.face.yaw).toFixed(0)}°`]);
    if (report.continued) rows.push(['mContinued', `${Math.round(100 * report.continued)}%`]);
    if (report.background) {
      const b = report.background;
      rows.push(['mBackground', t('mBackgroundValue', { text: b.text, share: Math.round(b.share * 100), deltaE: b.meanDeltaE.toFixed(2) })]);
    }
    if (file) rows.push(['mFile', t('mFileValue', { kb: file.kb, format: file.format.toUpperCase(), quality: file.quality !== undefined ? t('mQuality', { quality: file.quality }) : '' })]);
    if (report.timings?.['total'] !== undefined) rows.push(['mTime', `${(report.timings['total'] / 1000).toFixed(2)} s`]);
    measures.replaceChildren(...rows.flatMap(([key, value]) => [el('dt', {}, t(key)), el('dd', {}, value)]));
  }

  function errorText(err: ApiError): string {
    // A server that runs the QR tools only has no ID-photo routes.
    if (err.code === 'NOT_FOUND') return t('idUnavailable');
    // The page's own words for CORRUPT_IMAGE speak of codes; the service's fit a portrait.
    return err.code === 'CORRUPT_IMAGE' ? err.serviceMessage : err.localized();
  }

  onLanguageChange(() => {
    renderSheets();
    renderEngines();
    renderSpecs();
    renderReport();
    showError(errorMessage);
    showBusy(busyMessage);
    make.textContent = t(inFlight ? 'idMaking' : 'idMake');
    camera.relabel();
  });

  return { show: ensureCatalogue, hide: camera.stop };
}

/** The camera for a portrait: the front camera in a preview, one frame taken as a JPEG. Hidden where the browser has none. */
function setupPortraitCamera(onPhoto: (blob: Blob) => void): { relabel: () => void; stop: () => void } {
  const start = byId('id-cam-start', HTMLButtonElement);
  const shoot = byId('id-cam-shoot', HTMLButtonElement);
  const stop = byId('id-cam-stop', HTMLButtonElement);
  const box = byId('id-camera', HTMLDivElement);
  const video = byId('id-cam-video', HTMLVideoElement);
  const status = byId('id-cam-status', HTMLParagraphElement);
  let stream: MediaStream | undefined;
  let message: { key: MessageKey; values?: Record<string, string> } | undefined;

  const say = (next: typeof message): void => {
    message = next;
    status.textContent = next ? t(next.key, next.values) : '';
  };
  start.hidden = !navigator.mediaDevices?.getUserMedia;

  function end(): void {
    if (!stream) return;
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = undefined;
    video.srcObject = null;
    box.hidden = true;
    start.hidden = false;
  }

  start.addEventListener('click', () => {
    say({ key: 'cameraLoading' });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false }).then(
      async (opened) => {
        stream = opened;
        video.srcObject = opened;
        shoot.disabled = true; // until the first frame is there to take
        box.hidden = false;
        start.hidden = true;
        await video.play();
        shoot.disabled = false;
        say({ key: 'idCameraReady' });
        shoot.focus();
      },
      (err: unknown) => {
        const name = err instanceof DOMException ? err.name : '';
        if (name === 'NotAllowedError' || name === 'SecurityError') return say({ key: 'cameraDenied' });
        if (name === 'NotFoundError' || name === 'OverconstrainedError') return say({ key: 'cameraMissing' });
        say({ key: 'cameraFailed', values: { reason: String(err) } });
      },
    );
  });
  shoot.addEventListener('click', () => {
    if (!stream || video.videoWidth === 0) return;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0);
    canvas.toBlob(
      (blob) => {
        if (!blob) return;
        onPhoto(blob);
        end();
        say(undefined);
        start.focus();
      },
      'image/jpeg',
      0.92,
    );
  });
  stop.addEventListener('click', () => {
    end();
    say(undefined);
    start.focus();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden && stream) {
      end();
      say(undefined);
    }
  });
  return { relabel: () => say(message), stop: end };
}
