/**
 * A stand-in for App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js)
 * for the local admin preview and the end-to-end tests, where Shopify's admin
 * and CDN are not there. It provides what the app's pages use, the way App
 * Bridge does:
 *   - `window.shopify`: `idToken()`, `toast.show/hide`, `config`, `loading`,
 *     `saveBar` (show/hide/toggle and leaveConfirmation) and an inert `modal`;
 *   - `<ui-save-bar>`: shown as a bar over the page with its Save and Discard
 *     buttons; leaveConfirmation asks "Leave page with unsaved changes?";
 *   - `fetch` patched so same-origin requests carry `Authorization: Bearer
 *     <fresh session token>` (tokens come from the preview at `tokenPath`);
 *   - `<ui-nav-menu>` links shown as a plain navigation bar, `<ui-title-bar>`
 *     as a heading with its breadcrumb before it and its buttons after it.
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

  // <ui-save-bar>: while shown, a bar at the top of the page under the nav
  // (the admin's sidebar stays usable, so leaving can be tried); its child buttons are Save (variant="primary") and Discard, and
  // their loading/disabled attributes show on the bar's buttons.
  var saveBarHost = null;
  function visibleSaveBars() {
    return Array.prototype.filter.call(document.querySelectorAll("ui-save-bar"), function (bar) { return bar.showing; });
  }
  function renderSaveBars() {
    var shown = visibleSaveBars()[0] || null;
    if (!shown) {
      if (saveBarHost) saveBarHost.remove();
      saveBarHost = null;
      return;
    }
    if (!saveBarHost || !document.body.contains(saveBarHost)) {
      saveBarHost = document.createElement("div");
      saveBarHost.setAttribute("data-app-bridge-stand-in", "save-bar");
      saveBarHost.setAttribute("role", "region");
      saveBarHost.setAttribute("aria-label", "Unsaved changes");
      // In the page's flow under the nav, as the admin's top bar sits above the app: it covers nothing.
      var nav = document.querySelector("ui-nav-menu");
      if (nav && nav.parentNode) nav.parentNode.insertBefore(saveBarHost, nav.nextSibling);
      else document.body.insertBefore(saveBarHost, document.body.firstChild);
    }
    saveBarHost.textContent = "";
    var label = document.createElement("span");
    label.textContent = "Unsaved changes";
    saveBarHost.appendChild(label);
    var sources = Array.prototype.slice.call(shown.querySelectorAll("button"));
    sources.sort(function (a, b) { return (a.getAttribute("variant") === "primary") - (b.getAttribute("variant") === "primary"); });
    sources.forEach(function (source) {
      var primary = source.getAttribute("variant") === "primary";
      var proxy = document.createElement("button");
      proxy.type = "button";
      proxy.className = primary ? "is-primary" : "";
      proxy.textContent = source.textContent || (primary ? "Save" : "Discard");
      var busy = source.hasAttribute("loading");
      proxy.disabled = busy || source.hasAttribute("disabled");
      if (busy) proxy.setAttribute("aria-busy", "true");
      proxy.addEventListener("click", function () { source.click(); });
      saveBarHost.appendChild(proxy);
    });
  }
  if (!window.customElements.get("ui-save-bar")) {
    window.customElements.define("ui-save-bar", class extends HTMLElement {
      constructor() {
        super();
        this._showing = false;
        var self = this;
        this._observer = new MutationObserver(function () { if (self._showing) renderSaveBars(); });
      }
      connectedCallback() {
        this.style.display = "none";
        this._observer.observe(this, { subtree: true, childList: true, attributes: true, characterData: true });
      }
      disconnectedCallback() {
        this._observer.disconnect();
        this._showing = false;
        renderSaveBars();
      }
      get showing() { return this._showing; }
      show() {
        if (!this._showing) {
          this._showing = true;
          renderSaveBars();
          this.dispatchEvent(new Event("show"));
        }
        return Promise.resolve();
      }
      hide() {
        if (this._showing) {
          this._showing = false;
          renderSaveBars();
          this.dispatchEvent(new Event("hide"));
        }
        return Promise.resolve();
      }
      toggle() { return this._showing ? this.hide() : this.show(); }
    });
  }
  function saveBarById(id) {
    var bar = document.getElementById(id);
    return bar && typeof bar.show === "function" ? bar : null;
  }
  // As the admin does: resolved at once with no save bar shown, or when the
  // merchant chooses to leave; never when they stay.
  function leaveConfirmation() {
    if (visibleSaveBars().length === 0) return Promise.resolve();
    return new Promise(function (resolve) {
      var backdrop = document.createElement("div");
      backdrop.setAttribute("data-app-bridge-stand-in", "leave-confirmation");
      var dialog = document.createElement("div");
      dialog.setAttribute("role", "alertdialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.setAttribute("aria-labelledby", "app-bridge-stand-in-leave-title");
      var title = document.createElement("h2");
      title.id = "app-bridge-stand-in-leave-title";
      title.textContent = "Leave page with unsaved changes?";
      var body = document.createElement("p");
      body.textContent = "Leaving this page will delete all unsaved changes.";
      var stay = document.createElement("button");
      stay.type = "button";
      stay.textContent = "Stay";
      var leave = document.createElement("button");
      leave.type = "button";
      leave.className = "is-critical";
      leave.textContent = "Leave page";
      stay.addEventListener("click", function () { backdrop.remove(); });
      leave.addEventListener("click", function () {
        backdrop.remove();
        visibleSaveBars().forEach(function (bar) { bar.hide(); });
        resolve();
      });
      dialog.append(title, body, stay, leave);
      backdrop.appendChild(dialog);
      document.body.appendChild(backdrop);
      stay.focus();
    });
  }

  window.shopify = {
    config: { apiKey: CONFIG.apiKey, shop: CONFIG.shop, host: CONFIG.host, locale: "en" },
    environment: { embedded: true, mobile: false, pos: false },
    idToken: idToken,
    toast: toast,
    loading: function () {},
    saveBar: {
      show: function (id) { var bar = saveBarById(id); return bar ? bar.show() : Promise.resolve(); },
      hide: function (id) { var bar = saveBarById(id); return bar ? bar.hide() : Promise.resolve(); },
      toggle: function (id) { var bar = saveBarById(id); return bar ? bar.toggle() : Promise.resolve(); },
      leaveConfirmation: leaveConfirmation,
    },
    modal: inert,
    resourcePicker: function () { return Promise.reject(new Error("Not available in the local preview")); },
  };

  var style = document.createElement("style");
  style.textContent = [
    "ui-nav-menu { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; padding: 8px 16px; background: #1a1a1a; font: 500 13px/20px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; }",
    "ui-nav-menu::before { content: 'Brilliant Sync · preview'; color: #fff; font-weight: 650; margin-right: 16px; }",
    "ui-nav-menu a { color: #e3e3e3; text-decoration: none; padding: 4px 10px; border-radius: 8px; }",
    "ui-nav-menu a:hover { background: #303030; color: #fff; }",
    "ui-nav-menu a[data-current] { background: #fff; color: #1a1a1a; }",
    "ui-title-bar { display: flex; align-items: center; gap: 8px; padding: 10px 16px; background: #fff; border-bottom: 1px solid #e3e3e3; }",
    "ui-title-bar::before { content: attr(title); font: 650 20px/28px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; color: #303030; flex: 1; }",
    "ui-title-bar button { font: 600 13px/20px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; padding: 4px 12px; border-radius: 8px; border: 1px solid #c9c9c9; background: #fff; color: #303030; cursor: pointer; }",
    "ui-title-bar button[variant=primary] { background: #303030; border-color: #303030; color: #fff; }",
    "ui-title-bar button[variant=breadcrumb] { order: -1; border: 0; background: none; padding: 4px; color: #616161; }",
    "ui-title-bar button[variant=breadcrumb]::after { content: ' ›'; }",
    "[data-app-bridge-stand-in=toasts] { position: fixed; bottom: 24px; left: 50%; transform: translateX(-50%); display: flex; flex-direction: column; gap: 8px; z-index: 1000; }",
    ".app-bridge-stand-in-toast { background: #1a1a1a; color: #fff; padding: 10px 16px; border-radius: 10px; font: 500 14px/20px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; box-shadow: 0 4px 12px rgba(0,0,0,.25); }",
    ".app-bridge-stand-in-toast.is-error { background: #8e1f0b; }",
    "[data-app-bridge-stand-in=save-bar] { display: flex; align-items: center; gap: 8px; padding: 8px 16px; background: #1a1a1a; color: #fff; font: 650 14px/20px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; }",
    "[data-app-bridge-stand-in=save-bar] span { flex: 1; }",
    "[data-app-bridge-stand-in=save-bar] button, [data-app-bridge-stand-in=leave-confirmation] button { font: 600 13px/20px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; padding: 4px 12px; border-radius: 8px; border: 1px solid #8a8a8a; background: #fff; color: #303030; cursor: pointer; }",
    "[data-app-bridge-stand-in=save-bar] button.is-primary { background: #fff; border-color: #fff; }",
    "[data-app-bridge-stand-in=save-bar] button:not(.is-primary) { background: #303030; color: #fff; }",
    "[data-app-bridge-stand-in=save-bar] button:disabled { opacity: .6; cursor: default; }",
    "[data-app-bridge-stand-in=leave-confirmation] { position: fixed; inset: 0; z-index: 1100; background: rgba(0,0,0,.5); display: flex; align-items: center; justify-content: center; }",
    "[data-app-bridge-stand-in=leave-confirmation] [role=alertdialog] { background: #fff; border-radius: 12px; padding: 16px; max-width: 420px; font: 400 14px/20px -apple-system, BlinkMacSystemFont, 'Inter', sans-serif; color: #303030; }",
    "[data-app-bridge-stand-in=leave-confirmation] h2 { font-size: 16px; margin: 0 0 8px; }",
    "[data-app-bridge-stand-in=leave-confirmation] button { margin: 12px 8px 0 0; }",
    "[data-app-bridge-stand-in=leave-confirmation] button.is-critical { background: #c70a24; border-color: #c70a24; color: #fff; }",
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
