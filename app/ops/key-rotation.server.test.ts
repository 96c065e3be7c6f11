/**
 * Key rotation: CREDENTIALS_ENCRYPTION_KEY_PREVIOUS still opens what the old
 * key sealed, everything written is sealed with the current key, and
 * `rotateSecrets` (npm run rotate-key) re-seals every stored secret so the
 * previous key can be removed.
 */
import { randomBytes } from "node:crypto";

import { Session } from "@shopify/shopify-api";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import { resetDatabase } from "../../tests/helpers/db";
import prisma from "../db.server";
import { CredentialsDecryptionError, decryptSecret, encryptSecret } from "../db/credentials-crypto.server";
import { sqlFor, type SqlRunner } from "../db/sql.server";
import { resetEnvCache } from "../env.server";
import { AppSessionStorage, forgetSessionsOf } from "../integrations/shopify-session-storage.server";
import { getBrilliantCredentials, saveBrilliantCredentials } from "../models/shop.server";
import { TEXT_COLUMNS } from "../orders/compliance/text-columns";
import { rotateSecrets, rotationComplete, SECRET_TABLES } from "./key-rotation.server";

const OLD_KEY = randomBytes(32).toString("hex");
const NEW_KEY = randomBytes(32).toString("base64");
const STRANGER_KEY = randomBytes(32).toString("hex");
const testKey = process.env.CREDENTIALS_ENCRYPTION_KEY;

/** Runs the app with these keys from now on, as a deploy with them would. */
function useKeys(current: string, previous?: string): void {
  process.env.CREDENTIALS_ENCRYPTION_KEY = current;
  if (previous === undefined) delete process.env.CREDENTIALS_ENCRYPTION_KEY_PREVIOUS;
  else process.env.CREDENTIALS_ENCRYPTION_KEY_PREVIOUS = previous;
  resetEnvCache();
}

const SHOPS = ["rotate-a.myshopify.com", "rotate-b.myshopify.com", "rotate-c.myshopify.com"];
const storage = () => new AppSessionStorage(prisma);

/** What is stored, column by column, for every secret. */
async function storedSecrets() {
  return {
    settings: await prisma.shopSettings.findMany({
      select: { shop: true, brilliantApiKeyEnc: true, brilliantApiSecretEnc: true },
      orderBy: { shop: "asc" },
    }),
    sessions: await prisma.session.findMany({
      select: { id: true, accessToken: true, refreshToken: true },
      orderBy: { id: "asc" },
    }),
  };
}

/** Each shop's Brilliant credentials and offline tokens, as the app reads them now. */
async function secretsAsTheAppReadsThem() {
  forgetSessionsOf(prisma);
  const read = [];
  for (const shop of SHOPS) {
    const session = await storage().loadSession(`offline_${shop}`);
    const raw = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
    read.push({
      shop,
      credentials: await getBrilliantCredentials(shop),
      accessToken: session?.accessToken,
      refreshToken: raw.refreshToken ? decryptSecret(raw.refreshToken) : null,
    });
  }
  return read;
}

describe("rotating CREDENTIALS_ENCRYPTION_KEY", () => {
  beforeEach(async () => {
    await resetDatabase(prisma);
    useKeys(OLD_KEY);
    for (const [index, shop] of SHOPS.entries()) {
      await saveBrilliantCredentials(shop, { apiKey: `key-${index}`, apiSecret: `secret-${index}` });
      await storage().storeSession(
        new Session({
          id: `offline_${shop}`,
          shop,
          state: "seeded",
          isOnline: false,
          scope: "read_orders",
          accessToken: `shpat_${index}`,
          expires: new Date(Date.now() + 3_600_000),
          refreshToken: `shprt_${index}`,
          refreshTokenExpires: new Date(Date.now() + 90 * 86_400_000),
        }),
      );
    }
  });
  afterEach(() => useKeys(testKey!));
  afterAll(() => prisma.$disconnect());

  it("GIVEN secrets sealed with the old key WHEN the app runs with the new key and the old one as previous THEN it reads them all, and what it writes is sealed with the new key only", async () => {
    const before = await secretsAsTheAppReadsThem();
    useKeys(NEW_KEY, OLD_KEY);
    expect(await secretsAsTheAppReadsThem()).toEqual(before);

    const sealed = encryptSecret("written now");
    useKeys(NEW_KEY);
    expect(decryptSecret(sealed)).toBe("written now");
    useKeys(OLD_KEY);
    expect(() => decryptSecret(sealed)).toThrow(CredentialsDecryptionError);
  });

  it("GIVEN the new key and the previous WHEN rotateSecrets runs THEN every secret is re-sealed, counted, and after the previous key is removed everything still reads the same; a second run changes nothing", async () => {
    // A session stored before tokens were encrypted.
    await prisma.session.create({
      data: {
        id: "offline_legacy.myshopify.com",
        shop: "legacy.myshopify.com",
        state: "s",
        accessToken: "shpat_plain",
      },
    });
    const before = await secretsAsTheAppReadsThem();
    useKeys(NEW_KEY, OLD_KEY);

    const report = await rotateSecrets({ batchSize: 2 });
    expect(rotationComplete(report)).toBe(true);
    expect(report.columns).toEqual([
      {
        table: "ShopSettings",
        column: "brilliantApiKeyEnc",
        current: 0,
        resealed: 3,
        sealedPlaintext: 0,
        unreadable: 0,
      },
      {
        table: "ShopSettings",
        column: "brilliantApiSecretEnc",
        current: 0,
        resealed: 3,
        sealedPlaintext: 0,
        unreadable: 0,
      },
      { table: "Session", column: "accessToken", current: 0, resealed: 3, sealedPlaintext: 1, unreadable: 0 },
      {
        table: "Session",
        column: "refreshToken",
        current: 0,
        resealed: 3,
        sealedPlaintext: 0,
        unreadable: 0,
      },
    ]);

    useKeys(NEW_KEY);
    expect(await secretsAsTheAppReadsThem()).toEqual(before);
    const legacy = await prisma.session.findUniqueOrThrow({ where: { id: "offline_legacy.myshopify.com" } });
    expect(legacy.accessToken).toMatch(/^v1\./);
    expect(decryptSecret(legacy.accessToken)).toBe("shpat_plain");

    const stored = await storedSecrets();
    const again = await rotateSecrets();
    expect(again.columns.map((column) => [column.resealed, column.sealedPlaintext])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(again.columns.map((column) => column.current)).toEqual([3, 3, 4, 3]);
    expect(await storedSecrets()).toEqual(stored);
  });

  it("GIVEN a secret sealed with neither key WHEN rotateSecrets runs THEN it is reported by row and column, left exactly as it was, and the rotation is not complete", async () => {
    useKeys(STRANGER_KEY);
    const foreign = encryptSecret("sealed elsewhere");
    await prisma.shopSettings.update({
      where: { shop: SHOPS[1]! },
      data: { brilliantApiSecretEnc: foreign },
    });
    await prisma.shopSettings.update({
      where: { shop: SHOPS[2]! },
      data: { brilliantApiKeyEnc: "not sealed at all" },
    });
    useKeys(NEW_KEY, OLD_KEY);

    const report = await rotateSecrets();
    expect(report.unreadable).toEqual([
      { table: "ShopSettings", row: SHOPS[1], column: "brilliantApiSecretEnc" },
      { table: "ShopSettings", row: SHOPS[2], column: "brilliantApiKeyEnc" },
    ]);
    expect(rotationComplete(report)).toBe(false);
    const settings = await prisma.shopSettings.findMany({ orderBy: { shop: "asc" } });
    expect(settings[1]!.brilliantApiSecretEnc).toBe(foreign);
    expect(settings[2]!.brilliantApiKeyEnc).toBe("not sealed at all");
    // The readable secret of the same rows was re-sealed.
    useKeys(NEW_KEY);
    expect(decryptSecret(settings[1]!.brilliantApiKeyEnc!)).toBe("key-1");
    expect(decryptSecret(settings[2]!.brilliantApiSecretEnc!)).toBe("secret-2");
  });

  it("GIVEN the app saving new credentials between the rotation's read and its write, and a token being renewed WHEN rotateSecrets runs THEN neither is overwritten: both are left for the next run, which finishes", async () => {
    useKeys(NEW_KEY, OLD_KEY);
    await prisma.session.update({
      where: { id: `offline_${SHOPS[2]}` },
      data: { renewingUntil: new Date(Date.now() + 60_000) },
    });
    const sql = sqlFor();
    const transaction = sql.transaction;
    let saved = false;
    sql.transaction = async <T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> => {
      if (!saved) {
        saved = true;
        await saveBrilliantCredentials(SHOPS[0]!, { apiKey: "key-new", apiSecret: "secret-new" });
      }
      return transaction.call(sql, fn) as Promise<T>;
    };
    let report;
    try {
      report = await rotateSecrets();
    } finally {
      sql.transaction = transaction;
    }
    expect(report.left).toEqual([
      { table: "ShopSettings", row: SHOPS[0] },
      { table: "Session", row: `offline_${SHOPS[2]}` },
    ]);
    expect(rotationComplete(report)).toBe(false);
    expect(await getBrilliantCredentials(SHOPS[0]!)).toEqual({ apiKey: "key-new", apiSecret: "secret-new" });
    const renewing = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOPS[2]}` } });
    useKeys(OLD_KEY);
    expect(decryptSecret(renewing.accessToken)).toBe("shpat_2");

    useKeys(NEW_KEY, OLD_KEY);
    await prisma.session.update({ where: { id: `offline_${SHOPS[2]}` }, data: { renewingUntil: null } });
    expect(rotationComplete(await rotateSecrets())).toBe(true);
    useKeys(NEW_KEY);
    expect(await getBrilliantCredentials(SHOPS[0]!)).toEqual({ apiKey: "key-new", apiSecret: "secret-new" });
    forgetSessionsOf(prisma);
    expect((await storage().loadSession(`offline_${SHOPS[2]}`))?.accessToken).toBe("shpat_2");
  });

  it("GIVEN the schema's text columns THEN every column text-columns.ts calls encrypted is one the rotation re-seals, and no other", () => {
    const encrypted = Object.entries(TEXT_COLUMNS).flatMap(([table, rules]) =>
      Object.entries(rules.text)
        .filter(([, rule]) => "none" in rule && rule.none.includes("(encrypted)"))
        .map(([column]) => `${table}.${column}`),
    );
    const rotated = SECRET_TABLES.flatMap((spec) => spec.columns.map((column) => `${spec.table}.${column}`));
    expect(rotated.sort()).toEqual(encrypted.sort());
  });
});
