/**
 * Runs before the app (a classic script, coi.js): where the page is not cross-origin isolated but
 * could be (a secure context with service workers: https or localhost), registers sw.js, which adds
 * the isolation headers, and reloads once. A page that is already isolated (our server sends the
 * headers) or cannot be (plain http on another host) runs as it is, single-threaded in the latter.
 */
(() => {
  if (window.crossOriginIsolated || !window.isSecureContext || !('serviceWorker' in navigator)) return;
  const KEY = 'llmcore-coi-reloaded';
  // one reload only: a host whose responses the worker cannot change must not loop
  if (sessionStorage.getItem(KEY)) return;
  navigator.serviceWorker.register(new URL('sw.js', document.baseURI)).then((reg) => {
    const reload = (): void => {
      sessionStorage.setItem(KEY, '1');
      location.reload();
    };
    if (navigator.serviceWorker.controller) reload();
    else if (reg.active) reload();
    else navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
  }).catch(() => { /* no shim: the page runs single-threaded */ });
})();
