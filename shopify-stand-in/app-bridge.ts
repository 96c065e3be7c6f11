/**
 * A stand-in for App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js)
 * for the local admin preview and the end-to-end tests, where Shopify's admin
 * and CDN are not there. It provides what the app's pages use, the way App
 * Bridge does:
 *   - `window.shopify`: `idToken()`, `toast.show/hide`, `config`, `loading`,
 *     and inert `saveBar`/`modal`;
 *   - `fetch` patched so same-origin requests carry `Authorization: Bearer
 *     <fresh session token>` (tokens come from the preview at `tokenPath`);
 *   - `<ui-nav-menu>` links shown as a plain navigation bar, `<ui-title-bar>`
 *     as a heading with its buttons.
 * Never served by the app itself.
 */
export interface AppBridgeStandInConfig {
  apiKey: string;
  shop: string;
  host: string;
  /** Same-origin path answering {token, exp} with a fresh session token. */
  tokenPath: string;
}

export function appBridgeStandInScript(config: AppBridgeStandInConfig): string {
  return `/* App Bridge stand-in (Brilliant Sync local preview): not Shopify's App Bridge. */
(function () {
  "use strict";
  var CONFIG = ${JSON.stringify(config)};
  var originalFetch = window.fetch.bind(window);
  var cached = null;
  var pending = null;

  function idToken() {
    var now = Date.now() / 1000;
    if (cached && cached.exp - 15 > now) return Promise.resolve(cached.token);
    if (pending) return pending;
    pending = originalFetch(CONFIG.tokenPath, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("session token: HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        cached = body;
        pending = null;
        return body.token;
      }, function (error) {
        pending = null;
        throw error;
      });
    return pending;
  }

  // As App Bridge does: same-origin requests carry a fresh session token.
  window.fetch = function (input, init) {
    var href = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    var url = new URL(href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname === CONFIG.tokenPath) {
      return originalFetch(input, init);
    }
    return idToken().then(function (token) {
      var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
      var nextInit = Object.assign({}, init, { headers: headers });
      return originalFetch(input instanceof Request ? new Request(input, nextInit) : input, nextInit);
    });
  };

  var toastRegion = null;
  var toastCount = 0;
  function region() {
    if (toastRegion && document.body.contains(toastRegion)) return toastRegion;
    toastRegion = document.createElement("div");
    toastRegion.setAttribute("data-app-bridge-stand-in", "toasts");
    toastRegion.setAttribute("role", "status");
    toastRegion.setAttribute("aria-live", "polite");
    document.body.appendChild(toastRegion);
    return toastRegion;
  }
  var toast = {
    show: function (message, options) {
      options = options || {};
      toastCount += 1;
      var id = "toast-" + toastCount;
      var node = document.createElement("div");
      node.id = id;
      node.className = "app-bridge-stand-in-toast" + (options.isError ? " is-error" : "");
      node.textContent = String(message);
      region().appendChild(node);
      setTimeout(function () { toast.hide(id); }, options.duration || 5000);
      return id;
    },
    hide: function (id) {
      var node = document.getElementById(id);
      if (node) node.remove();
    },
  };
  var inert = { show: function () { return Promise.resolve(); }, hide: function () { return Promise.resolve(); }, toggle: function () { return Promise.resolve(); } };

  window.shopify = {
    config: { apiKey: CONFIG.apiKey, shop: CONFIG.shop, host: CONFIG.host, locale: "en" },
    environment: { embedded: true, mobile: false, pos: false },
    idToken: idToken,
    toast: toast,
    loading: function () {},
    saveBar: Object.assign({ leaveConfirmation: function () { return Promise.resolve(); } }, inert),
    modal: inert,
    resourcePicker: function () { return Promise.reject(new Error("Not available in the local preview")); },
  };

  var style = document.createElement("style");
  style.textContent = [
    "ui-nav-menu { display: flex; gap: 4px; align-items: center; padding: 8px 16px; background: #1a1a1a; position: sticky; top: 0; z-index: 500; font: 500 13px/20px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; }",
    "ui-nav-menu::before { content: 'Brilliant Sync · preview'; color: #fff; font-weight: 650; margin-right: 16px; }",
    "ui-nav-menu a { color: #e3e3e3; text-decoration: none; padding: 4px 10px; border-radius: 8px; }",
    "ui-nav-menu a:hover { background: #303030; color: #fff; }",
    "ui-nav-menu a[data-current] { background: #fff; color: #1a1a1a; }",
    "ui-title-bar { display: flex; align-items: center; gap: 8px; padding: 10px 16px; background: #fff; border-bottom: 1px solid #e3e3e3; }",
    "ui-title-bar::before { content: attr(title); font: 650 20px/28px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; color: #303030; flex: 1; }",
    "[data-app-bridge-stand-in=toasts] { position: fixed; bottom: 24px; left: 50%; transform: translateX(-50%); display: flex; flex-direction: column; gap: 8px; z-index: 1000; }",
    ".app-bridge-stand-in-toast { background: #1a1a1a; color: #fff; padding: 10px 16px; border-radius: 10px; font: 500 14px/20px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; box-shadow: 0 4px 12px rgba(0,0,0,.25); }",
    ".app-bridge-stand-in-toast.is-error { background: #8e1f0b; }",
  ].join("\\n");
  document.head.appendChild(style);

  // Mark the nav link of the current page, as the admin's sidebar does.
  function markCurrent() {
    var links = document.querySelectorAll("ui-nav-menu a[href]");
    var path = window.location.pathname;
    var best = null;
    links.forEach(function (link) {
      var target = new URL(link.getAttribute("href"), window.location.href).pathname;
      if (path === target || (target !== "/app" && path.indexOf(target + "/") === 0)) best = link;
    });
    links.forEach(function (link) {
      if (link === best) link.setAttribute("data-current", "");
      else link.removeAttribute("data-current");
    });
  }
  setInterval(markCurrent, 300);
})();
`;
}
