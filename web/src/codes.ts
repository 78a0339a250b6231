import type { DecodedCode, Point } from './api.js';
import { el, svgEl } from './dom.js';
import { t } from './i18n.js';

const URL_PATTERN = /^https?:\/\/\S+$/i;

/** One decoded text: shown as a link when it is a web address, with a copy button. */
export function codeItem(text: string, format: string): HTMLLIElement {
  const value = URL_PATTERN.test(text) ? el('a', { href: text, target: '_blank', rel: 'noopener noreferrer nofollow', className: 'code-text' }, text) : el('span', { className: 'code-text' }, text);
  const copy = el('button', { type: 'button', className: 'small' }, t('copy'));
  copy.setAttribute('aria-label', `${t('copy')}: ${text.slice(0, 80)}`);
  copy.addEventListener('click', () => {
    void navigator.clipboard.writeText(text).then(
      () => {
        copy.textContent = t('copied');
        setTimeout(() => (copy.textContent = t('copy')), 1500);
      },
      () => (copy.textContent = '✕'),
    );
  });
  const item = el('li', { className: 'code' }, value, copy);
  if (format !== 'QRCode') item.prepend(el('span', { className: 'format' }, format));
  return item;
}

/** Outlines of the codes over an image, in the image's own pixel coordinates. */
export function outlines(svg: SVGSVGElement, width: number, height: number, codes: readonly { position: DecodedCode['position'] }[]): void {
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  svg.replaceChildren();
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 150));
  codes.forEach(({ position: p }, i) => {
    const corners: Point[] = [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft];
    svg.append(svgEl('polygon', { points: corners.map((c) => `${c.x},${c.y}`).join(' '), class: 'outline', 'stroke-width': stroke }));
    const label = svgEl('text', { x: p.topLeft.x, y: p.topLeft.y - stroke, class: 'outline-label', 'font-size': stroke * 8 });
    label.textContent = String(i + 1);
    svg.append(label);
  });
}
