import { asApiError, generate, type ApiError, type GenerateParams, type SymbolInfo } from './api.js';
import { byId, debounce, download } from './dom.js';
import { onLanguageChange, t } from './i18n.js';

const PREVIEW_DELAY_MS = 250;

/** Left panel: the code follows the text and options as the user types. */
export function setupGeneratePanel(): void {
  const form = byId('gen-form', HTMLFormElement);
  const text = byId('gen-text', HTMLTextAreaElement);
  const ec = byId('gen-ec', HTMLSelectElement);
  const size = byId('gen-size', HTMLInputElement);
  const margin = byId('gen-margin', HTMLInputElement);
  const dark = byId('gen-dark', HTMLInputElement);
  const light = byId('gen-light', HTMLInputElement);
  const transparent = byId('gen-transparent', HTMLInputElement);
  const image = byId('gen-image', HTMLImageElement);
  const placeholder = byId('gen-placeholder', HTMLParagraphElement);
  const info = byId('gen-info', HTMLParagraphElement);
  const error = byId('gen-error', HTMLParagraphElement);
  const status = byId('gen-status', HTMLParagraphElement);
  const buttons = [byId('gen-png', HTMLButtonElement), byId('gen-svg', HTMLButtonElement), byId('gen-copy', HTMLButtonElement)] as const;

  let shown: { params: GenerateParams; png: Blob; symbol: SymbolInfo; url: string } | undefined;
  let lastError: ApiError | undefined;
  let inFlight: AbortController | undefined;

  function params(format: GenerateParams['format']): GenerateParams {
    return {
      text: text.value,
      ec: ec.value,
      size: size.valueAsNumber,
      margin: margin.valueAsNumber,
      dark: dark.value,
      light: transparent.checked ? 'transparent' : light.value,
      format,
    };
  }

  function renderInfo(): void {
    if (!shown) return void (info.textContent = '');
    const s = shown.symbol;
    const used = s.capacityBits ? Math.round((100 * s.usedBits) / s.capacityBits) : 0;
    info.textContent = t('genInfo', { version: s.version, modules: s.modules, ec: s.ec, bytes: s.dataBytes, used });
    image.alt = t('genAlt');
  }

  function showError(err: ApiError | undefined): void {
    lastError = err;
    error.hidden = !err;
    error.textContent = err ? err.localized() : '';
    text.setAttribute('aria-invalid', String(err?.code === 'QR_DATA_TOO_LONG'));
  }

  function clear(): void {
    if (shown) URL.revokeObjectURL(shown.url);
    shown = undefined;
    image.hidden = true;
    image.removeAttribute('src');
    placeholder.hidden = false;
    for (const b of buttons) b.disabled = true;
    renderInfo();
  }

  async function refresh(): Promise<void> {
    inFlight?.abort();
    status.textContent = '';
    if (text.value.length === 0) {
      showError(undefined);
      return clear();
    }
    const controller = new AbortController();
    inFlight = controller;
    const request = params('png');
    try {
      const { blob, symbol } = await generate(request, controller.signal);
      if (shown) URL.revokeObjectURL(shown.url);
      shown = { params: request, png: blob, symbol, url: URL.createObjectURL(blob) };
      image.src = shown.url;
      image.hidden = false;
      placeholder.hidden = true;
      for (const b of buttons) b.disabled = false;
      showError(undefined);
      renderInfo();
    } catch (err) {
      if (controller.signal.aborted) return;
      clear();
      showError(asApiError(err));
    }
  }

  const refreshSoon = debounce(() => void refresh(), PREVIEW_DELAY_MS);
  form.addEventListener('input', refreshSoon);
  form.addEventListener('change', refreshSoon);
  form.addEventListener('submit', (e) => e.preventDefault());
  transparent.addEventListener('change', () => (light.disabled = transparent.checked));

  buttons[0].addEventListener('click', () => shown && download(shown.png, 'qr-code.png'));
  buttons[1].addEventListener('click', () => {
    if (!shown) return;
    generate({ ...shown.params, format: 'svg' }).then(
      ({ blob }) => download(blob, 'qr-code.svg'),
      (err: unknown) => showError(asApiError(err)),
    );
  });
  buttons[2].addEventListener('click', () => {
    if (!shown) return;
    navigator.clipboard.write([new ClipboardItem({ 'image/png': shown.png })]).then(
      () => (status.textContent = t('copiedImage')),
      () => (status.textContent = t('copyFailed')),
    );
  });

  onLanguageChange(() => {
    renderInfo();
    showError(lastError);
  });
}
