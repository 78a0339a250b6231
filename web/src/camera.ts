import { codeItem, outlines } from './codes.js';
import type { FrameReply } from './camera-protocol.js';
import { byId, el } from './dom.js';
import { onLanguageChange, t, type MessageKey } from './i18n.js';

/** Frames are scaled so their longer side is at most this: enough for a code that fills a fifth of the view. */
const FRAME_MAX_SIDE = 960;
const FRAME_INTERVAL_MS = 120;

/** Live scanning: frames from getUserMedia go to a worker running zxing-wasm; new texts join the results. */
export function setupCamera(): void {
  const start = byId('cam-start', HTMLButtonElement);
  const stop = byId('cam-stop', HTMLButtonElement);
  const box = byId('camera', HTMLDivElement);
  const video = byId('cam-video', HTMLVideoElement);
  const overlay = byId('cam-overlay', SVGSVGElement);
  const status = byId('cam-status', HTMLParagraphElement);
  const results = byId('results', HTMLOListElement);

  let session: { stream: MediaStream; worker: Worker; timer?: ReturnType<typeof setTimeout> } | undefined;
  let statusKey: MessageKey | undefined;
  let statusValues: Record<string, string> = {};
  let seen = new Set<string>();
  let list: HTMLOListElement | undefined;

  function say(key: MessageKey | undefined, values: Record<string, string> = {}): void {
    statusKey = key;
    statusValues = values;
    status.textContent = key ? t(key, values) : '';
  }
  onLanguageChange(() => say(statusKey, statusValues));

  function addText(text: string, format: string): void {
    if (seen.has(text)) return;
    seen.add(text);
    if (!list) {
      list = el('ol', { className: 'codes' });
      results.prepend(el('li', { className: 'card' }, el('h3', { className: 'file-name' }, t('cameraResult')), list));
    }
    list.prepend(codeItem(text, format));
  }

  function end(): void {
    if (!session) return;
    clearTimeout(session.timer);
    for (const track of session.stream.getTracks()) track.stop();
    session.worker.terminate();
    session = undefined;
    video.srcObject = null;
    box.hidden = true;
    start.hidden = false;
  }

  async function begin(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) return say('cameraUnsupported');
    say('cameraLoading');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
    } catch (err) {
      const name = err instanceof DOMException ? err.name : '';
      if (name === 'NotAllowedError' || name === 'SecurityError') return say('cameraDenied');
      if (name === 'NotFoundError' || name === 'OverconstrainedError') return say('cameraMissing');
      return say('cameraFailed', { reason: String(err) });
    }
    const worker = new Worker(new URL('./camera-worker.ts', import.meta.url), { type: 'module' });
    session = { stream, worker };
    seen = new Set();
    list = undefined;
    video.srcObject = stream;
    box.hidden = false;
    start.hidden = true;
    await video.play();
    say('cameraScanning');
    scan(session, worker);
    stop.focus();
  }

  function scan(current: NonNullable<typeof session>, worker: Worker): void {
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    let frameId = 0;
    const next = (): void => {
      if (session !== current) return;
      current.timer = setTimeout(grab, FRAME_INTERVAL_MS);
    };
    const grab = (): void => {
      if (session !== current || video.videoWidth === 0) return next();
      const scale = Math.min(1, FRAME_MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      worker.postMessage({ id: ++frameId, frame }, [frame.data.buffer]);
    };
    worker.onmessage = ({ data }: MessageEvent<FrameReply>) => {
      if ('codes' in data) {
        outlines(overlay, canvas.width, canvas.height, data.codes);
        for (const code of data.codes) addText(code.text, code.format);
      } else {
        say('cameraFailed', { reason: data.error });
      }
      next();
    };
    worker.onerror = (e) => {
      say('cameraFailed', { reason: e.message });
      end();
    };
    grab();
  }

  start.addEventListener('click', () => void begin());
  stop.addEventListener('click', () => {
    end();
    say(undefined);
    start.focus();
  });
  // A hidden tab should not keep the camera light on.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden && session) {
      end();
      say(undefined);
    }
  });
}
