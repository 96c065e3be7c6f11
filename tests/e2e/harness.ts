/**
 * End-to-end harness: the embedded admin in a real Chromium, with no Shopify.
 *
 * tests/e2e/global-setup.ts starts, once per run, the stack `npm run preview`
 * runs (scripts/lib/admin-stack.ts): the Brilliant simulator, a fresh SQLite
 * database, the built app behind remix-serve, the worker, the demo shop with
 * the demo's eight orders sent as signed webhooks, and the admin preview proxy
 * that mints session tokens and serves the App Bridge stand-in. Each test file
 * then opens a browser on it:
 *
 *   const admin = await openAdmin();
 *   await admin.goto("/app/settings");
 *   await admin.screenshot("settings");   // tests/e2e/artifacts/settings.png
 *   expect(admin.pageErrors).toEqual([]);
 *   await admin.close();
 *
 * The demo's orders as the tests find them (retries wait ten minutes, so
 * nothing moves unless a test moves it): #1001 forwarded, #1002 held for a
 * mapping (2502), #1003 held for stock (2503), #1004 held for an inactive
 * variant (2506), #1005 retrying after a 3501, #1006 forwarded or being
 * checked after a 1500, #1007 held for its address (2501), #1008 skipped.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import { appBridgeStandInScript } from "../../shopify-stand-in/app-bridge";
import { APP_BRIDGE_CDN_URL, TOKEN_PATH } from "../../shopify-stand-in/admin-preview";
import { adminHost } from "../../shopify-stand-in/session-token";
import type { E2eStackInfo } from "./stack";

export { E2E_ENV, type E2eStackInfo } from "./stack";

/**
 * How the merchant's browser is set up: by default a desktop window in the
 * machine's time zone; `E2E_TZ` and `E2E_WIDTH` run the same tests in
 * another time zone than the server's and on a narrow screen (CI runs the
 * suite again with E2E_TZ=America/Toronto E2E_WIDTH=390). Screenshots of such
 * a run go to a folder of their own.
 */
const BROWSER_TZ = process.env.E2E_TZ || undefined;
const VIEWPORT_WIDTH = Number(process.env.E2E_WIDTH) || 1280;
const NARROW = VIEWPORT_WIDTH < 600;
const VARIANT = [BROWSER_TZ?.replace(/\W+/g, "-"), VIEWPORT_WIDTH !== 1280 && `${VIEWPORT_WIDTH}px`]
  .filter(Boolean)
  .join("-");

export const ARTIFACTS = resolve(process.cwd(), "tests/e2e/artifacts", VARIANT);

const BLANK_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

/** Axe-core's rules for WCAG 2.1 A and AA; a violation of these impacts fails the test. */
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const FAILING_IMPACTS = new Set(["serious", "critical"]);
// The stand-in's own chrome (nav, title bar, toasts, save bar) is drawn by the admin in Shopify, not by the app.
const NOT_THE_APP = ["ui-nav-menu", "ui-title-bar", "[data-app-bridge-stand-in]"];
/** What is on screen only while a page is still loading data. */
const SETTLING = ".Polaris-IndexTable__LoadingPanel";
/** The browser's line for a 4xx answer: the app's intended answer to bad input (a 404 page, a 422 field error). */
const CLIENT_ERROR_RESOURCE = /^Failed to load resource: the server responded with a status of 4\d\d\b/;
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
// Headless Chromium says "HeadlessChrome", which the app (rightly) refuses as a bot.
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

export function stackInfo(): E2eStackInfo {
  return inject("e2eStack");
}

export interface AdminBrowser {
  stack: E2eStackInfo;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors in the page since it opened. */
  pageErrors: string[];
  /** Errors written to the browser's console (a 4xx answer's own line aside). */
  consoleErrors: string[];
  /** Serious or critical axe-core violations found on the pages screenshotted. */
  accessibilityViolations: string[];
  /** Whether the window is phone-narrow (E2E_WIDTH below 600). */
  narrow: boolean;
  /** Opens an app path (e.g. "/app/orders?state=held") as a page load and waits for it to settle. */
  goto(path: string): Promise<void>;
  /**
   * Saves a full-page screenshot to tests/e2e/artifacts/<name>.png and returns
   * its path; checks the page with axe-core first.
   */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Resolves once React has hydrated and committed the page, so typing and
 * clicking reach its handlers: Polaris' AppProvider styles <body> when it
 * mounts, after everything inside it.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.style.backgroundColor !== "");
}

/**
 * Hooks for a file (or describe) whose tests share one browser: the admin
 * opened before them and handed to `use`, closed after them.
 *
 *   let admin: AdminBrowser;
 *   openAdminAround((opened) => (admin = opened));
 */
export function openAdminAround(use: (admin: AdminBrowser) => void): void {
  let opened: AdminBrowser | undefined;
  beforeAll(async () => {
    opened = await openAdmin();
    use(opened);
  });
  // Every test, whatever it asserts: no uncaught error, no console error, no serious a11y violation.
  afterEach(() => {
    if (!opened) return;
    const found = {
      pageErrors: opened.pageErrors.splice(0),
      consoleErrors: opened.consoleErrors.splice(0),
      accessibilityViolations: opened.accessibilityViolations.splice(0),
    };
    expect(found).toEqual({ pageErrors: [], consoleErrors: [], accessibilityViolations: [] });
  });
  afterAll(async () => {
    await opened?.close();
  });
}

export async function openAdmin(): Promise<AdminBrowser> {
  const stack = stackInfo();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const context = await browser.newContext({
    viewport: { width: VIEWPORT_WIDTH, height: NARROW ? 844 : 900 },
    ...(NARROW && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
    ...(BROWSER_TZ && { timezoneId: BROWSER_TZ }),
    userAgent: USER_AGENT,
  });
  // Nothing leaves the machine: App Bridge is answered by the stand-in (the
  // preview already rewrites its URL; this covers anything that asks for it),
  // anything else not local fails at once.
  await context.route(
    (url) => url.hostname !== "127.0.0.1",
    async (route) => {
      if (route.request().url() === APP_BRIDGE_CDN_URL) {
        await route.fulfill({
          contentType: "text/javascript",
          body: appBridgeStandInScript({
            apiKey: stack.apiKey,
            shop: stack.shop,
            host: adminHost(stack.shop),
            tokenPath: TOKEN_PATH,
          }),
        });
      } else if (route.request().resourceType() === "image") {
        // Product images live on Shopify's CDN: a blank pixel stands in for each.
        await route.fulfill({ contentType: "image/png", body: BLANK_PNG });
      } else {
        await route.abort("internetdisconnected");
      }
    },
  );
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const accessibilityViolations: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !CLIENT_ERROR_RESOURCE.test(message.text())) {
      consoleErrors.push(`${page.url()}: ${message.text()}`);
    }
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    stack,
    browser,
    context,
    page,
    pageErrors,
    consoleErrors,
    accessibilityViolations,
    narrow: NARROW,
    async goto(path) {
      await page.goto(`${stack.previewUrl}${path}`, { waitUntil: "networkidle" });
      await waitForHydration(page);
    },
    async screenshot(name) {
      const path = resolve(ARTIFACTS, `${name}.png`);
      await page.waitForLoadState("networkidle");
      // A settled page: the table's loading overlay (shown while Remix
      // revalidates) fades in and out, and axe would judge it half-drawn.
      await page.waitForFunction(
        (selector) =>
          Array.from(document.querySelectorAll(selector)).every(
            (element) => !element.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
          ),
        SETTLING,
      );
      const axe = await NOT_THE_APP.reduce(
        (builder, selector) => builder.exclude(selector),
        new AxeBuilder({ page }),
      )
        .withTags(AXE_TAGS)
        .analyze();
      for (const violation of axe.violations) {
        if (!FAILING_IMPACTS.has(violation.impact ?? "")) continue;
        const where = violation.nodes
          .map((node) => node.target.join(" "))
          .slice(0, 3)
          .join("; ");
        accessibilityViolations.push(
          `${name}: ${violation.id} (${violation.impact}) ${violation.help} at ${where}`,
        );
      }
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      await browser.close();
    },
  };
}
