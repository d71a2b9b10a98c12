/**
 * A minimal HTTP server for browser tests and benchmarks: one HTML page and the two
 * fingerprint assets (every worker of the pool loads the same worker script), as the
 * registry will serve them (`/assets/fingerprint.js`,
 * `/assets/fingerprint-worker.js`). Listens on 127.0.0.1 (a secure context, so
 * WebCrypto is available as on an https deployment). Records every request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fingerprintAssets } from '../../src/fingerprint/browser/bundle.ts';

export interface AssetServer {
  url: string;
  /** Method and path of every request received, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** The page of the browser suite: a folder input and a files input in one fingerprint container. */
export const TEST_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>fingerprint test</title>
<script src="/assets/fingerprint.js" defer></script></head>
<body>
<form method="post" action="/apply" enctype="multipart/form-data">
<div id="fp" data-datadeed-fingerprint data-worker-src="/assets/fingerprint-worker.js">
  <label>Folder <input id="folder" type="file" name="folder" webkitdirectory></label>
  <label>Files <input id="files" type="file" name="files" multiple></label>
  <progress value="0" max="1"></progress>
  <output data-fingerprint-status></output>
  <input name="manifestRoot" readonly>
  <input name="files" readonly>
  <input name="bytes" readonly>
  <textarea name="manifest" hidden></textarea>
  <a data-fingerprint-download hidden>manifest.json</a>
</div>
</form>
</body></html>`;

/**
 * Starts the server on an ephemeral port. `headers` are added to every response (for
 * example a Content-Security-Policy: a dedicated worker takes its policy from its own
 * script's response).
 */
export async function startAssetServer(page: string = TEST_PAGE, headers: Record<string, string> = {}): Promise<AssetServer> {
  const { pageJs, workerJs } = await fingerprintAssets();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const send = (type: string, body: string): void => {
      res.writeHead(200, { ...headers, 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method === 'GET' && req.url === '/') send('text/html; charset=utf-8', page);
    else if (req.method === 'GET' && req.url === '/assets/fingerprint.js') send('text/javascript; charset=utf-8', pageJs);
    else if (req.method === 'GET' && req.url === '/assets/fingerprint-worker.js') send('text/javascript; charset=utf-8', workerJs);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    // A browser keeps connections alive (and may have a request in flight when a page
    // closes): end them all, so closing never waits on the browser.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
