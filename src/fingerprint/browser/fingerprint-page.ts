/**
 * In-page dataset fingerprinting for the application form (DESIGN §4, §7). Bundled as a
 * classic script (`/assets/fingerprint.js`); it starts a pool of Web Workers
 * (`/assets/fingerprint-worker.js`, see `pool.ts`) that hash the picked files, shows a
 * <progress> bar, and fills the form's root / files / bytes fields. The data never
 * leaves the browser: file inputs lose their `name` so a form submission cannot carry
 * them, and the workers only read the files.
 *
 * Markup it attaches to (any number of containers per page):
 *
 * ```html
 * <div data-datadeed-fingerprint data-worker-src="/assets/fingerprint-worker.js">
 *   <input type="file" webkitdirectory>          <!-- a folder … -->
 *   <input type="file" multiple>                  <!-- … and/or single files -->
 *   <progress value="0" max="1"></progress>
 *   <output data-fingerprint-status></output>
 *   <input name="manifestRoot" readonly> <input name="files" readonly> <input name="bytes" readonly>
 *   <textarea name="manifest" hidden></textarea>  <!-- optional: the manifest JSON -->
 *   <a data-fingerprint-download hidden>manifest.json</a>  <!-- optional -->
 * </div>
 * ```
 *
 * Paths: a folder pick yields paths relative to the picked folder (its own name
 * dropped), like `datadeed fingerprint <dir>`; a single-file pick yields the file's name,
 * like `datadeed fingerprint <file>`. The root then equals the CLI's for the same files.
 */
import { formatBytes } from '../format.ts';
import { serializeManifest } from '../manifest.ts';
import { BrowserFingerprintError, fingerprintFiles, type Progress } from './pool.ts';
import type { PickedFile } from './protocol.ts';

export { BrowserFingerprintError, fingerprintFiles, type Progress } from './pool.ts';

/**
 * The dataset-relative path of a picked File: `webkitRelativePath` without its first
 * segment (the picked folder) for a folder pick, else the file's name.
 */
export function pickedPath(file: File): string {
  const rel = file.webkitRelativePath;
  if (rel !== undefined && rel !== '') {
    const slash = rel.indexOf('/');
    return slash >= 0 ? rel.slice(slash + 1) : rel;
  }
  return file.name;
}

/** The files of one or more file inputs, with their dataset paths. */
export function filesFromInputs(inputs: Iterable<HTMLInputElement>): PickedFile[] {
  const out: PickedFile[] = [];
  for (const input of inputs) for (const file of Array.from(input.files ?? [])) out.push({ path: pickedPath(file), file });
  return out;
}

function setField(container: Element, name: string, value: string): void {
  const el = container.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]:not([type="file"])`);
  if (el) {
    el.value = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }
}

/**
 * Wires one container (see the module comment). Picking files starts a run; a new pick
 * cancels the previous run. The container gets `data-state` = `running` | `done` |
 * `error`; when done, `data-root`, `data-millis` (wall time of the run), `data-read-millis`
 * (until the page had read or handed out every file), `data-workers`
 * and `data-engine` (`wasm`, or `noble` where WebAssembly was refused); on error,
 * `data-error-code`.
 */
export function attachFingerprint(container: HTMLElement): void {
  if (container.dataset.fingerprintAttached === '1') return;
  container.dataset.fingerprintAttached = '1';
  const workerUrl = container.dataset.workerSrc ?? '/assets/fingerprint-worker.js';
  const inputs = Array.from(container.querySelectorAll<HTMLInputElement>('input[type="file"]'));
  for (const input of inputs) input.removeAttribute('name'); // never submitted with the form
  const bar = container.querySelector('progress');
  const status = container.querySelector<HTMLElement>('[data-fingerprint-status]');
  const download = container.querySelector<HTMLAnchorElement>('a[data-fingerprint-download]');
  let current: AbortController | undefined;
  let downloadUrl: string | undefined;

  const show = (text: string): void => {
    if (status) status.textContent = text;
  };

  const run = async (): Promise<void> => {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    const files = filesFromInputs(inputs);
    for (const name of ['manifestRoot', 'files', 'bytes', 'manifest']) setField(container, name, '');
    if (files.length === 0) {
      container.dataset.state = '';
      show('');
      return;
    }
    container.dataset.state = 'running';
    delete container.dataset.root;
    delete container.dataset.errorCode;
    if (bar) {
      bar.max = 1;
      bar.value = 0;
    }
    show(`0 / ${files.length} files`);
    try {
      const { manifest, millis, readMillis, workers, engine } = await fingerprintFiles(files, {
        workerUrl,
        signal: controller.signal,
        onProgress: (p) => {
          // (At most ~10 calls a second.) While sizes are still being learnt the byte total grows: count files until then.
          if (bar) bar.value = !p.sizing && p.totalBytes > 0 ? p.bytes / p.totalBytes : p.totalFiles > 0 ? p.files / p.totalFiles : 1;
          show(`${p.files} / ${p.totalFiles} files · ${formatBytes(p.bytes)}${p.sizing ? '' : ` / ${formatBytes(p.totalBytes)}`}`);
        },
      });
      if (controller !== current) return;
      if (bar) bar.value = 1;
      setField(container, 'manifestRoot', manifest.root);
      setField(container, 'files', String(manifest.files));
      setField(container, 'bytes', String(manifest.bytes));
      const text = serializeManifest(manifest);
      setField(container, 'manifest', text);
      if (download) {
        if (downloadUrl) URL.revokeObjectURL(downloadUrl);
        downloadUrl = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
        download.href = downloadUrl;
        download.download = 'manifest.json';
        download.hidden = false;
      }
      container.dataset.root = manifest.root;
      container.dataset.millis = String(Math.round(millis));
      container.dataset.readMillis = String(Math.round(readMillis));
      container.dataset.workers = String(workers);
      container.dataset.engine = engine;
      container.dataset.state = 'done';
      const rate = millis > 0 ? manifest.bytes / (millis / 1000) : 0;
      show(`${manifest.files} files · ${formatBytes(manifest.bytes)} · ${(millis / 1000).toFixed(2)} s (${formatBytes(rate)}/s) — root ${manifest.root}`);
    } catch (err) {
      if (controller !== current) return;
      container.dataset.state = 'error';
      const code = err instanceof BrowserFingerprintError ? err.code : 'internal_error';
      container.dataset.errorCode = code;
      show(`[${code}] ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  for (const input of inputs) input.addEventListener('change', () => void run());
}

/** Attaches every `[data-datadeed-fingerprint]` container under `root`. */
export function attachAll(root: ParentNode = document): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-datadeed-fingerprint]'))) attachFingerprint(el);
}

declare global {
  // eslint-disable-next-line no-var
  var DataDeedFingerprint: { attachAll: typeof attachAll; attachFingerprint: typeof attachFingerprint; fingerprintFiles: typeof fingerprintFiles; filesFromInputs: typeof filesFromInputs } | undefined;
}

if (typeof document !== 'undefined') {
  globalThis.DataDeedFingerprint = { attachAll, attachFingerprint, fingerprintFiles, filesFromInputs };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => attachAll());
  else attachAll();
}
