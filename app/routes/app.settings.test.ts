import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import prisma from "../db.server";
import { listOpenAlerts, raiseAlert } from "../models/alert.server";
import { resetEnvCache } from "../env.server";
import { getBrilliantCredentials, saveBrilliantCredentials } from "../models/shop.server";
import {
  SIM_API_KEY,
  SIM_API_SECRET,
  SIM_STORE_NAME,
  startSimulator,
  type RunningSimulator,
} from "../../simulator/server";
import { closedPort } from "../../simulator/test-helpers";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { action, loader } from "./app.settings";

// GIVEN an installed shop and a real session token, WHEN the settings page
// loads or saves, THEN only valid input is written, only to the token's shop,
// and no loader answer ever carries the Brilliant secret.

const SHOP = "settings-a.myshopify.com";
const OTHER = "settings-b.myshopify.com";
const URL = "https://brilliant-sync.test/app/settings";
const SECRET = "very-secret-brilliant-value-9876";

const validForm = {
  intent: "save",
  brilliantApiKey: "",
  brilliantApiSecret: "",
  forwardingMode: "review",
  forwardingDelay: "15",
  forwardingDelayUnit: "minutes",
  holdTags: " wholesale, VIP ,, wholesale , vip",
  skipTags: "no-brilliant",
  lowStockThreshold: "12",
};

let sim: RunningSimulator;

const post = (shop: string, body: Record<string, string>) =>
  adminRequest(URL, { shop, method: "POST", body });

beforeAll(async () => {
  sim = await startSimulator();
  process.env.BRILLIANT_API_BASE_URL = sim.url;
  process.env.BRILLIANT_TIMEOUT_MS = "3000";
  resetEnvCache();
});
afterAll(async () => {
  await sim.close();
  delete process.env.BRILLIANT_API_BASE_URL;
  delete process.env.BRILLIANT_TIMEOUT_MS;
  resetEnvCache();
});
beforeEach(async () => {
  await resetDatabase(prisma);
  sim.reset();
  await seedAdminShop(SHOP);
  await seedAdminShop(OTHER);
});

describe("settings loader", () => {
  it("shows how the saved credentials end, never the secret", async () => {
    await saveBrilliantCredentials(SHOP, { apiKey: "brilliant-key-ABCD", apiSecret: SECRET });
    const response = await callRoute(loader, await adminRequest(URL, { shop: SHOP }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("brilliant-key-ABCD");
    const body = JSON.parse(text);
    expect(body.settings).toMatchObject({ apiKeyEnding: "…ABCD", apiSecretEnding: "…9876" });
  });

  it("says not set when nothing is saved, and shows only the token's shop", async () => {
    await saveBrilliantCredentials(OTHER, { apiKey: "other-key-0000", apiSecret: SECRET });
    const body = await (await callRoute(loader, await adminRequest(URL, { shop: SHOP }))).json();
    expect(body.settings).toMatchObject({ apiKeyEnding: null, apiSecretEnding: null });
    expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  it("refuses a request without a valid session token", async () => {
    const response = await callRoute(
      loader,
      new Request(URL, { headers: { Authorization: "Bearer not-a-token" } }),
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
  });
});

describe("settings action: save", () => {
  it("saves valid settings: delay in seconds, tags trimmed and deduplicated", async () => {
    const response = await callRoute(action, await post(SHOP, validForm));
    expect(response.status).toBe(200);
    const saved = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(saved).toMatchObject({
      forwardingMode: "review",
      forwardingDelaySeconds: 900,
      holdTags: "wholesale,VIP",
      skipTags: "no-brilliant",
      lowStockThreshold: 12,
    });
    const other = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: OTHER } });
    expect(other).toMatchObject({ forwardingMode: "automatic", lowStockThreshold: 5, holdTags: "" });
  });

  it("answers 422 with field errors and writes nothing when a field is invalid", async () => {
    const before = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    const response = await callRoute(
      action,
      await post(SHOP, {
        ...validForm,
        brilliantApiKey: "new-key-1234",
        brilliantApiSecret: "new-secret-5678",
        forwardingDelay: "1441",
        lowStockThreshold: "10001",
        forwardingMode: "sometimes",
      }),
    );
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.fieldErrors).toMatchObject({
      forwardingDelay: expect.stringContaining("1,440"),
      lowStockThreshold: expect.stringContaining("10,000"),
      forwardingMode: expect.any(String),
    });
    const after = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(after).toEqual(before);
    expect(await getBrilliantCredentials(SHOP)).toBeNull();
  });

  it("rejects a non-number threshold on its field", async () => {
    const response = await callRoute(action, await post(SHOP, { ...validForm, lowStockThreshold: "ten" }));
    expect(response.status).toBe(422);
    expect((await response.json()).fieldErrors.lowStockThreshold).toMatch(/whole number/);
  });

  it("keeps the saved secret when the secret field is left empty", async () => {
    await saveBrilliantCredentials(SHOP, { apiKey: "old-key-1111", apiSecret: SIM_API_SECRET });
    const response = await callRoute(
      action,
      await post(SHOP, { ...validForm, brilliantApiKey: SIM_API_KEY }),
    );
    expect(response.status).toBe(200);
    expect(await getBrilliantCredentials(SHOP)).toEqual({ apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET });
    const text = await response.text();
    expect(text).not.toContain(SIM_API_SECRET);
  });

  it("GIVEN a key and secret Brilliant refuses WHEN saved THEN 422 on the key with Brilliant's reason, and nothing is saved", async () => {
    await saveBrilliantCredentials(SHOP, { apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET });
    const before = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    const response = await callRoute(
      action,
      await post(SHOP, {
        ...validForm,
        brilliantApiKey: "wrong-key",
        brilliantApiSecret: SECRET,
        holdTags: "x",
      }),
    );
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body).toMatchObject({ ok: false });
    expect(body.fieldErrors.brilliantApiKey).toMatch(/Brilliant refused this API key and secret/);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toEqual(before);
    expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  it("GIVEN a credentials alert raised by a refused catalog read WHEN credentials Brilliant accepts are saved THEN the alert closes", async () => {
    await raiseAlert({
      shop: SHOP,
      kind: "credentials",
      key: "credentials",
      title: "Brilliant credentials are missing or refused",
      detail:
        "Brilliant refused the saved API key and secret while reading your catalog. Check them in Settings.",
    });
    const response = await callRoute(
      action,
      await post(SHOP, { ...validForm, brilliantApiKey: SIM_API_KEY, brilliantApiSecret: SIM_API_SECRET }),
    );
    expect(response.status).toBe(200);
    expect((await response.json()).credentialsUnchecked).toBeNull();
    expect(await listOpenAlerts(SHOP)).toEqual([]);
  });

  it("asks for the secret when a key is typed and no secret was ever saved, writing nothing", async () => {
    const response = await callRoute(
      action,
      await post(SHOP, { ...validForm, brilliantApiKey: "lonely-key" }),
    );
    expect(response.status).toBe(422);
    expect((await response.json()).fieldErrors.brilliantApiSecret).toMatch(/secret/);
    expect(await getBrilliantCredentials(SHOP)).toBeNull();
    expect((await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).forwardingMode).toBe(
      "automatic",
    );
  });
});

describe("settings action: test connection", () => {
  it("shows the store name and variant count for good credentials", async () => {
    const response = await callRoute(
      action,
      await post(SHOP, { intent: "test", brilliantApiKey: SIM_API_KEY, brilliantApiSecret: SIM_API_SECRET }),
    );
    const body = await response.json();
    expect(body.result).toMatchObject({ ok: true, storeName: SIM_STORE_NAME });
    expect(body.result.variantCount).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain(SIM_API_SECRET);
  });

  it("uses the saved credentials when the fields are empty", async () => {
    await saveBrilliantCredentials(SHOP, { apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET });
    const body = await (await callRoute(action, await post(SHOP, { intent: "test" }))).json();
    expect(body.result.ok).toBe(true);
  });

  it("says the key was refused for wrong credentials (401)", async () => {
    const body = await (
      await callRoute(
        action,
        await post(SHOP, { intent: "test", brilliantApiKey: "wrong", brilliantApiSecret: "wrong" }),
      )
    ).json();
    expect(body.result).toMatchObject({ ok: false, reason: expect.stringContaining("refused") });
  });

  it("says Brilliant could not be reached when nothing answers", async () => {
    process.env.BRILLIANT_API_BASE_URL = `http://127.0.0.1:${await closedPort()}/V2`;
    resetEnvCache();
    try {
      const body = await (
        await callRoute(
          action,
          await post(SHOP, {
            intent: "test",
            brilliantApiKey: SIM_API_KEY,
            brilliantApiSecret: SIM_API_SECRET,
          }),
        )
      ).json();
      expect(body.result).toMatchObject({
        ok: false,
        reason: expect.stringContaining("could not be reached"),
      });
    } finally {
      process.env.BRILLIANT_API_BASE_URL = sim.url;
      resetEnvCache();
    }
  });

  it("does not use another shop's saved credentials", async () => {
    await saveBrilliantCredentials(OTHER, { apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET });
    const body = await (await callRoute(action, await post(SHOP, { intent: "test" }))).json();
    expect(body.result).toMatchObject({ ok: false, reason: expect.stringContaining("first") });
  });
});

describe("settings action: sync catalog", () => {
  it("reads the catalog with the saved credentials and shows the run in the loader", async () => {
    await saveBrilliantCredentials(SHOP, { apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET });
    const body = await (await callRoute(action, await post(SHOP, { intent: "sync_catalog" }))).json();
    expect(body.result.ok).toBe(true);
    expect(await prisma.brilliantVariant.count({ where: { shop: SHOP } })).toBeGreaterThan(0);
    expect(await prisma.brilliantVariant.count({ where: { shop: OTHER } })).toBe(0);
    const page = await (await callRoute(loader, await adminRequest(URL, { shop: SHOP }))).json();
    expect(page.catalogSync).toMatchObject({ status: "succeeded" });
    const other = await (await callRoute(loader, await adminRequest(URL, { shop: OTHER }))).json();
    expect(other.catalogSync).toBeNull();
  });

  it("asks for credentials first when none are saved", async () => {
    const body = await (await callRoute(action, await post(SHOP, { intent: "sync_catalog" }))).json();
    expect(body.result).toMatchObject({ ok: false, message: expect.stringContaining("Save your Brilliant") });
  });
});
