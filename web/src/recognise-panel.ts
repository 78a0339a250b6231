import { asApiError, decode } from './api.js';
import { codeItem, outlines } from './codes.js';
import { acceptFiles, byId, el, svgEl } from './dom.js';
import { t } from './i18n.js';

/** Uploads run a few at a time: the service reads them in parallel on its own cores. */
const PARALLEL_UPLOADS = 3;

/** Right panel: drop, pick or paste images; each gets a card with its codes outlined. */
export function setupRecognisePanel(): void {
  const drop = byId('drop', HTMLDivElement);
  const input = byId('rec-files', HTMLInputElement);
  const results = byId('results', HTMLOListElement);
  const queue: { file: Blob; name: string; card: HTMLLIElement }[] = [];
  let running = 0;

  function addFiles(files: Iterable<File>, name?: string): void {
    for (const file of files) {
      if (!file.type.startsWith('image/') && file.type !== '') continue;
      const card = el('li', { className: 'card' });
      results.prepend(card);
      queue.push({ file, name: name ?? file.name, card });
    }
    pump();
  }

  function pump(): void {
    while (running < PARALLEL_UPLOADS && queue.length > 0) {
      const job = queue.shift()!;
      running++;
      void recognise(job.file, job.name, job.card).finally(() => {
        running--;
        pump();
      });
    }
  }

  acceptFiles(input, drop, addFiles);
  // Ctrl+V anywhere on the page; text pastes into fields are left alone.
  document.addEventListener('paste', (e) => {
    if (drop.closest<HTMLElement>('[role="tabpanel"]')?.hidden) return; // the ID-photo tab takes pastes while it is shown
    const images = [...(e.clipboardData?.files ?? [])].filter((f) => f.type.startsWith('image/'));
    if (images.length === 0) return;
    e.preventDefault();
    addFiles(images, t('pasted'));
  });
}

async function recognise(file: Blob, name: string, card: HTMLLIElement): Promise<void> {
  const url = URL.createObjectURL(file);
  const overlay = svgEl('svg', { class: 'overlay', 'aria-hidden': 'true' });
  const picture = el('img', { src: url, alt: name });
  const figure = el('div', { className: 'thumb' }, picture, overlay);
  picture.addEventListener('error', () => (figure.hidden = true)); // the browser cannot show it either
  const status = el('p', { className: 'status' }, t('reading'));
  card.setAttribute('aria-busy', 'true');
  card.append(el('h3', { className: 'file-name' }, name), figure, status);
  try {
    const result = await decode(file, name || 'image');
    outlines(overlay, result.width, result.height, result.codes);
    if (result.codes.length === 0) {
      status.textContent = t('noCode');
      status.className = 'status none';
      return;
    }
    status.textContent = t('codesFound', { count: result.codes.length });
    const list = el('ol', { className: 'codes' });
    for (const code of result.codes) list.append(codeItem(code.text, code.format));
    for (const sequence of result.sequences ?? []) list.append(codeItem(sequence.text, `${sequence.parts} parts`));
    card.append(list);
  } catch (err) {
    status.textContent = asApiError(err).localized();
    status.className = 'status error';
    status.setAttribute('role', 'alert');
  } finally {
    card.removeAttribute('aria-busy');
  }
}
