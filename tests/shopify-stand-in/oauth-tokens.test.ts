import { describe, expect, it } from "vitest";

import { TokenAuthority, type TokenGrant } from "../../shopify-stand-in/oauth-tokens";

// The stand-in's token endpoint on its own, as shopify.dev documents expiring offline tokens.
const SHOP = "tokens.myshopify.com";
const app = { client_id: "key", client_secret: "secret" };

function authority() {
  const tokens = new TokenAuthority({ apiKey: "key", apiSecret: "secret", accessTokenTtlSeconds: 3600 });
  tokens.addNonExpiringToken(SHOP, "shpat_legacy");
  return tokens;
}

async function migrate(tokens: TokenAuthority): Promise<TokenGrant> {
  const answer = await tokens.handle(SHOP, {
    ...app,
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: "shpat_legacy",
    subject_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    expiring: "1",
  });
  expect(answer.status).toBe(200);
  return answer.body as TokenGrant;
}

const refresh = (tokens: TokenAuthority, token: string) =>
  tokens.handle(SHOP, { ...app, grant_type: "refresh_token", refresh_token: token });

describe("the stand-in's token endpoint", () => {
  it("moves a non-expiring token to an hour-long pair with a 90-day refresh token, revoking the old token", async () => {
    const tokens = authority();
    const grant = await migrate(tokens);
    expect(grant.expires_in).toBe(3600);
    expect(grant.refresh_token_expires_in).toBe(90 * 24 * 3600);
    expect(tokens.check(SHOP, grant.access_token)).toBe("valid");
    expect(tokens.check(SHOP, "shpat_legacy")).toBe("invalid");
    await expect(migrate(tokens)).rejects.toThrow(); // the old token cannot be exchanged twice
  });

  it("rotates refresh tokens: a used one stays retryable until its replacement is used, then it is refused", async () => {
    const tokens = authority();
    const first = await migrate(tokens);
    const second = await refresh(tokens, first.refresh_token!);
    expect(second.status).toBe(200);
    const secondGrant = second.body as TokenGrant;
    // A lost answer: the first token again, before the second was used.
    const retried = await refresh(tokens, first.refresh_token!);
    expect(retried.status).toBe(200);
    const retriedGrant = retried.body as TokenGrant;
    // Only one expiring token is active per shop.
    expect(tokens.check(SHOP, secondGrant.access_token)).toBe("invalid");
    expect(tokens.check(SHOP, retriedGrant.access_token)).toBe("valid");

    expect((await refresh(tokens, retriedGrant.refresh_token!)).status).toBe(200);
    expect(await refresh(tokens, first.refresh_token!)).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
  });

  it("answers 401 to the wrong client secret, and reports expired access tokens as such", async () => {
    const tokens = authority();
    const grant = await migrate(tokens);
    expect(
      (await tokens.handle(SHOP, { ...app, client_secret: "nope", grant_type: "refresh_token" })).status,
    ).toBe(401);
    tokens.expireAccessTokens(SHOP);
    expect(tokens.check(SHOP, grant.access_token)).toBe("expired");
    tokens.revokeShop(SHOP);
    expect(await refresh(tokens, grant.refresh_token!)).toMatchObject({ status: 400 });
  });
});
