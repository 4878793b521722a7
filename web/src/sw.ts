/**
 * The service-worker shim for static hosts that cannot send headers: it re-serves every same-origin
 * response with the COOP/COEP/CORP headers our own server sends, so the page becomes cross-origin
 * isolated (SharedArrayBuffer, threaded matmul) after one reload (sw-register.ts does that reload).
 * The same approach as coi-serviceworker, written for this page.
 */

// The few service-worker types used here, declared locally: the WebWorker lib cannot share one
// compilation with the DOM lib the pages need.
interface ExtendableEvent extends Event { waitUntil(p: Promise<unknown>): void }
interface FetchEvent extends Event { request: Request; respondWith(r: Promise<Response>): void }
interface ServiceWorkerScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (ev: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (ev: FetchEvent) => void): void;
}
const sw = self as unknown as ServiceWorkerScope;

sw.addEventListener('install', () => { void sw.skipWaiting(); });
sw.addEventListener('activate', (ev) => { ev.waitUntil(sw.clients.claim()); });

sw.addEventListener('fetch', (ev) => {
  const req = ev.request;
  // a request the worker cannot repeat (Chrome's devtools 'only-if-cached' probe) goes to the network
  if (req.cache === 'only-if-cached' && req.mode !== 'same-origin') return;
  if (new URL(req.url).origin !== sw.location.origin) return;
  ev.respondWith((async () => {
    const res = await fetch(req);
    if (res.status === 0) return res; // opaque: its headers cannot be changed
    const headers = new Headers(res.headers);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  })());
});
