import type { IdSpec, Report } from './idphoto-api.js';

/** The colours of the guides; the legend beside the photo uses the same ones (style.css). */
export const GUIDE_COLOURS = { measured: '#e8710a', eyes: '#d81b60', allowed: '#1e8e3e' } as const;

/**
 * The guides over the photo, in the photo's own pixels: the spec's allowed bands (crown margin, eye
 * line, and the chin band given the measured crown) shaded, then the measured crown and chin lines
 * with a bracket for the head height, and the measured eye line.
 */
export function drawGuides(canvas: HTMLCanvasElement, report: Report, pixels: IdSpec['pixels'] | undefined, visible: boolean): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  if (!visible) return;
  const line = Math.max(1.5, width / 300);

  const horizontal = (y: number, colour: string, dash: number[] = [], from = 0): void => {
    context.save();
    context.strokeStyle = colour;
    context.lineWidth = line;
    context.setLineDash(dash);
    context.beginPath();
    context.moveTo(from, y);
    context.lineTo(width, y);
    context.stroke();
    context.restore();
  };
  const band = (top: number, bottom: number): void => {
    context.save();
    context.fillStyle = GUIDE_COLOURS.allowed;
    context.globalAlpha = 0.16;
    context.fillRect(0, top, width, bottom - top);
    context.restore();
    horizontal(top, GUIDE_COLOURS.allowed, [line * 4, line * 3]);
    horizontal(bottom, GUIDE_COLOURS.allowed, [line * 4, line * 3]);
  };

  const crown = report.crownMargin?.px;
  const head = report.headHeight?.px;
  if (pixels?.crownMargin) band(pixels.crownMargin.min, pixels.crownMargin.max);
  if (pixels?.eyesFromTop) band(pixels.eyesFromTop.min, pixels.eyesFromTop.max);
  if (pixels?.head && crown !== undefined) band(crown + pixels.head.min, Math.min(height, crown + pixels.head.max));

  if (crown !== undefined && head !== undefined) {
    const chin = crown + head;
    const x = line * 8;
    horizontal(crown, GUIDE_COLOURS.measured, [], x);
    horizontal(chin, GUIDE_COLOURS.measured, [], x);
    // The bracket: a vertical line at the left joining the crown and the chin.
    context.save();
    context.strokeStyle = GUIDE_COLOURS.measured;
    context.lineWidth = line * 1.5;
    context.beginPath();
    context.moveTo(x * 2, crown);
    context.lineTo(x, crown);
    context.lineTo(x, chin);
    context.lineTo(x * 2, chin);
    context.stroke();
    if (report.headHeight) {
      // The head height beside the bracket, on a white label so that it reads over hair of any colour.
      const size = Math.round(line * 8);
      const text = `${report.headHeight.mm.toFixed(1)} mm`;
      context.font = `700 ${size}px system-ui, sans-serif`;
      context.textBaseline = 'middle';
      context.textAlign = 'center';
      context.translate(x + size * 0.9, (crown + chin) / 2);
      context.rotate(-Math.PI / 2);
      const w = context.measureText(text).width + size * 0.6;
      context.fillStyle = 'rgb(255 255 255 / 0.85)';
      context.fillRect(-w / 2, -size * 0.7, w, size * 1.4);
      context.fillStyle = GUIDE_COLOURS.measured;
      context.fillText(text, 0, 0);
    }
    context.restore();
  }
  if (report.eyeLine) horizontal(report.eyeLine.fromTopPx, GUIDE_COLOURS.eyes, [], line * 8);
}
