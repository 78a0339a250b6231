import { ApiError, asApiError } from './api.js';
import { cancelJob, jobStatus, submitJob, type JobSubmission, type JobType, type JobView } from './batch-api.js';
import { acceptFiles, byId } from './dom.js';
import { lang, onLanguageChange, t, type MessageKey } from './i18n.js';

/** How often a running job is asked for its progress. */
const POLL_MS = 500;

/** Rows by extension, with the Content-Type the job API reads them as. */
const ROW_TYPES: Readonly<Record<string, string>> = { csv: 'text/csv', ndjson: 'application/x-ndjson', jsonl: 'application/x-ndjson', json: 'application/json' };

/** What was chosen: one rows file, one ZIP, or images (one or several). */
type Input = { kind: 'rows'; file: File; contentType: string } | { kind: 'zip'; file: File } | { kind: 'images'; files: File[] };

type Message = { key: MessageKey; values?: Record<string, string | number> } | { error: ApiError } | undefined;

const extension = (name: string): string => name.slice(name.lastIndexOf('.') + 1).toLowerCase();

/** A file's kind from its extension (or type, for images); undefined when the page cannot use it. */
function classify(files: File[]): Input | undefined {
  if (files.length === 0) return undefined;
  const images = files.filter((f) => f.type.startsWith('image/'));
  if (images.length === files.length) return { kind: 'images', files };
  if (files.length > 1) return undefined;
  const file = files[0]!;
  const ext = extension(file.name);
  if (ext === 'zip' || file.type === 'application/zip' || file.type === 'application/x-zip-compressed') return { kind: 'zip', file };
  const contentType = ROW_TYPES[ext];
  return contentType ? { kind: 'rows', file, contentType } : undefined;
}

/** The "Batch" tab: a file of rows or images in, a job on the server, its progress, a Cancel button and the result to download. */
export function setupBatchPanel(): void {
  const form = byId('batch-form', HTMLFormElement);
  const drop = byId('batch-drop', HTMLDivElement);
  const fileInput = byId('batch-file', HTMLInputElement);
  const fileInfo = byId('batch-file-info', HTMLParagraphElement);
  const typeGenerate = byId('batch-type-generate', HTMLInputElement);
  const typeDecode = byId('batch-type-decode', HTMLInputElement);
  const generateOptions = byId('batch-gen-options', HTMLFieldSetElement);
  const decodeOptions = byId('batch-dec-options', HTMLFieldSetElement);
  const ec = byId('batch-ec', HTMLSelectElement);
  const format = byId('batch-format', HTMLSelectElement);
  const size = byId('batch-size', HTMLInputElement);
  const output = byId('batch-output', HTMLSelectElement);
  const start = byId('batch-start', HTMLButtonElement);
  const cancel = byId('batch-cancel', HTMLButtonElement);
  const download = byId('batch-download', HTMLAnchorElement);
  const jobBox = byId('batch-job', HTMLDivElement);
  const progress = byId('batch-progress', HTMLProgressElement);
  const state = byId('batch-state', HTMLParagraphElement);
  const error = byId('batch-error', HTMLParagraphElement);

  let input: Input | undefined;
  let job: JobView | undefined;
  let polling: AbortController | undefined;
  let fileMessage: Message;
  let stateMessage: Message;
  let errorMessage: Message;

  const render = (message: Message): string => (!message ? '' : 'error' in message ? message.error.localized() : t(message.key, message.values));

  function showFile(message: Message): void {
    fileMessage = message;
    fileInfo.textContent = render(message);
  }

  function showState(message: Message): void {
    stateMessage = message;
    state.textContent = render(message);
  }

  function showError(message: Message): void {
    errorMessage = message;
    error.textContent = render(message);
    error.hidden = !message;
  }

  const chosenType = (): JobType => (typeDecode.checked ? 'decode' : 'generate');

  function syncType(): void {
    const decode = chosenType() === 'decode';
    generateOptions.hidden = decode;
    decodeOptions.hidden = !decode;
  }

  const running = (): boolean => job !== undefined && (job.state === 'queued' || job.state === 'running');

  function syncButtons(): void {
    start.disabled = !input || running();
    cancel.hidden = !running();
  }

  function take(files: FileList): void {
    const chosen = classify([...files]);
    input = chosen;
    showError(undefined);
    if (!chosen) {
      showFile(undefined);
      showError({ key: 'batchUnknownFile' });
    } else if (chosen.kind === 'images') {
      showFile({ key: 'batchImages', values: { count: chosen.files.length } });
    } else {
      showFile({ key: chosen.kind === 'rows' ? 'batchRowsFile' : 'batchZipFile', values: { name: chosen.file.name, kb: Math.max(1, Math.round(chosen.file.size / 1024)) } });
    }
    // Rows are generated from, images read: the task follows the file; the user may still change it.
    if (chosen) (chosen.kind === 'rows' ? typeGenerate : typeDecode).checked = true;
    syncType();
    syncButtons();
  }

  /** The chosen input as the body; the server answers UNSUPPORTED_MEDIA_TYPE when it does not fit the chosen task. */
  function submission(chosen: Input): JobSubmission {
    const type = chosenType();
    let body: Blob | FormData;
    let contentType: string | undefined;
    if (chosen.kind === 'images') {
      body = new FormData();
      for (const f of chosen.files) body.append('image', f, f.name);
    } else {
      body = chosen.file;
      contentType = chosen.kind === 'rows' ? chosen.contentType : 'application/zip';
    }
    if (type === 'decode') return { type, body, contentType, options: {}, accept: output.value === 'csv' ? 'text/csv' : 'application/x-ndjson' };
    const options: Record<string, string> = { ec: ec.value, format: format.value };
    if (size.value.trim() !== '') options['size'] = size.value.trim();
    return { type, body, contentType, options };
  }

  function showJob(view: JobView): void {
    job = view;
    const { done, failed, total } = view.progress;
    progress.max = Math.max(1, total);
    progress.value = done;
    const values = { done: done.toLocaleString(lang()), failed: failed.toLocaleString(lang()), total: total.toLocaleString(lang()) };
    const key: MessageKey =
      view.state === 'queued'
        ? 'batchQueued'
        : view.state === 'running'
          ? 'batchRunning'
          : view.state === 'completed'
            ? 'batchCompleted'
            : view.state === 'cancelled'
              ? 'batchCancelled'
              : 'batchFailed';
    showState({ key, values });
    if (view.state === 'failed' && view.error) showError({ error: new ApiError(view.error.code, view.error.message) });
    download.hidden = view.state !== 'completed' || !view.result_url;
    if (view.result_url) {
      download.href = view.result_url;
      download.download = '';
    }
    syncButtons();
  }

  async function follow(view: JobView): Promise<void> {
    polling?.abort();
    const controller = new AbortController();
    polling = controller;
    showJob(view);
    while (running() && !controller.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (controller.signal.aborted) return;
      try {
        showJob(await jobStatus(view, controller.signal));
      } catch (err) {
        if (controller.signal.aborted) return;
        showError({ error: asApiError(err) });
        return;
      }
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!input || running()) return;
    showError(undefined);
    download.hidden = true;
    jobBox.hidden = false;
    progress.removeAttribute('value');
    showState({ key: 'batchUploading' });
    start.disabled = true;
    submitJob(submission(input)).then(follow, (err: unknown) => {
      showState(undefined);
      jobBox.hidden = true;
      showError({ error: asApiError(err) });
      syncButtons();
    });
  });

  cancel.addEventListener('click', () => {
    if (!job || !running()) return;
    polling?.abort();
    cancelJob(job).then(showJob, (err: unknown) => showError({ error: asApiError(err) }));
  });

  typeGenerate.addEventListener('change', syncType);
  typeDecode.addEventListener('change', syncType);
  acceptFiles(fileInput, drop, take);
  onLanguageChange(() => {
    fileInfo.textContent = render(fileMessage);
    state.textContent = render(stateMessage);
    error.textContent = render(errorMessage);
  });
  syncType();
  syncButtons();
}
