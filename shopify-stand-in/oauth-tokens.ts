import { randomBytes } from "node:crypto";
import { jwtVerify } from "jose";

/**
 * Shopify's token endpoint (`POST https://{shop}/admin/oauth/access_token`)
 * and the access tokens the Admin API accepts, as shopify.dev documents them
 * for expiring offline tokens ("About offline access tokens", "Migrate to
 * expiring offline access tokens", changelog "More resilient refreshes"):
 *
 * - an expiring offline access token lives `expires_in` seconds (Shopify:
 *   3,600) and comes with a refresh token that lives 90 days;
 * - `grant_type=refresh_token` answers a new pair and spends the refresh token.
 *   A spent token may be used again until its replacement has been used (a
 *   lost answer can be recovered); after that it is refused (400
 *   `invalid_grant`);
 * - token exchange (`grant_type=urn:ietf:params:oauth:grant-type:token-exchange`)
 *   with a session token (`subject_token_type=…:id_token`) answers an offline
 *   token, expiring when `expiring=1`; with a non-expiring offline token as the
 *   subject (`…:offline-access-token`) it migrates the shop to an expiring
 *   pair and revokes the old token;
 * - only one expiring token is active per shop: issuing a pair revokes the
 *   shop's earlier access and refresh tokens;
 * - the Admin API answers 401 to an expired, revoked or unknown token.
 *
 * Used by the Admin GraphQL stand-in, which serves this endpoint beside the API.
 */

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token";
const REFRESH_TOKEN_LIFETIME_S = 90 * 24 * 3600;

export interface TokenAuthorityOptions {
  /** The app's client id and secret; read at each request when a function (set after start-up). */
  apiKey: string | (() => string);
  apiSecret: string | (() => string);
  /** Lifetime of expiring access tokens (Shopify: 3,600 s). */
  accessTokenTtlSeconds?: number;
  /** Scope granted with each token. */
  scope?: string;
}

interface AccessToken {
  shop: string;
  expiresAt: number | null;
  revoked: boolean;
}

interface RefreshToken {
  shop: string;
  expiresAt: number;
  /** Set once used: the refresh token answered in its place. */
  successor: string | null;
  /** Set once the token itself has been used to refresh. */
  used: boolean;
  revoked: boolean;
}

export type TokenCheck = "valid" | "expired" | "invalid";

export interface TokenGrant {
  access_token: string;
  scope: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

export interface TokenEndpointAnswer {
  status: number;
  body: TokenGrant | { error: string; error_description: string };
}

export interface TokenRequestRecord {
  shop: string;
  grantType: string;
  status: number;
  at: number;
}

export class TokenAuthority {
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  readonly requests: TokenRequestRecord[] = [];
  accessTokenTtlSeconds: number;

  constructor(private readonly options: TokenAuthorityOptions) {
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 3600;
  }

  /** Forgets every token and request (between tests). */
  reset(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.requests.length = 0;
  }

  /** A non-expiring offline token, as every install had before expiring tokens. */
  addNonExpiringToken(shop: string, token: string): void {
    if (this.accessTokens.has(token)) return;
    this.accessTokens.set(token, { shop, expiresAt: null, revoked: false });
  }

  /** Issues an expiring pair for the shop, revoking its earlier expiring tokens. */
  issueExpiring(shop: string): TokenGrant {
    this.revokeExpiring(shop);
    const accessToken = `shpat_exp_${randomBytes(12).toString("hex")}`;
    const refreshToken = `shprt_${randomBytes(16).toString("hex")}`;
    const now = Date.now();
    this.accessTokens.set(accessToken, {
      shop,
      expiresAt: now + this.accessTokenTtlSeconds * 1000,
      revoked: false,
    });
    this.refreshTokens.set(refreshToken, {
      shop,
      expiresAt: now + REFRESH_TOKEN_LIFETIME_S * 1000,
      successor: null,
      used: false,
      revoked: false,
    });
    return {
      access_token: accessToken,
      scope: this.options.scope ?? "",
      expires_in: this.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_LIFETIME_S,
    };
  }

  /** What the Admin API makes of a token sent for `shop`. */
  check(shop: string, token: string | undefined): TokenCheck {
    const found = token ? this.accessTokens.get(token) : undefined;
    if (!found || found.shop !== shop || found.revoked) return "invalid";
    if (found.expiresAt !== null && found.expiresAt <= Date.now()) return "expired";
    return "valid";
  }

  /** Every token of the shop stops working (uninstall, or the merchant revoking access). */
  revokeShop(shop: string): void {
    for (const token of this.accessTokens.values()) if (token.shop === shop) token.revoked = true;
    for (const token of this.refreshTokens.values()) if (token.shop === shop) token.revoked = true;
  }

  /** Makes the shop's access tokens expire now, as an hour going by would. */
  expireAccessTokens(shop: string): void {
    for (const token of this.accessTokens.values()) {
      if (token.shop === shop && token.expiresAt !== null) token.expiresAt = Date.now() - 1;
    }
  }

  /** How many token requests of a grant type were answered 200 for the shop. */
  granted(shop: string, grantType: "refresh_token" | "token_exchange"): number {
    const type = grantType === "token_exchange" ? TOKEN_EXCHANGE : grantType;
    return this.requests.filter((r) => r.shop === shop && r.grantType === type && r.status === 200).length;
  }

  /** Answers a token endpoint request for `shop` with Shopify's JSON body. */
  async handle(shop: string, body: Record<string, unknown>): Promise<TokenEndpointAnswer> {
    const answer = await this.answer(shop, body);
    this.requests.push({
      shop,
      grantType: String(body.grant_type ?? ""),
      status: answer.status,
      at: Date.now(),
    });
    return answer;
  }

  private async answer(shop: string, body: Record<string, unknown>): Promise<TokenEndpointAnswer> {
    if (body.client_id !== this.apiKey() || body.client_secret !== this.apiSecret()) {
      return refused(401, "invalid_client", "Client authentication failed");
    }
    if (body.grant_type === "refresh_token") return this.refresh(shop, body.refresh_token);
    if (body.grant_type === TOKEN_EXCHANGE) return this.exchange(shop, body);
    return refused(400, "unsupported_grant_type", "The grant type is not supported");
  }

  private refresh(shop: string, token: unknown): TokenEndpointAnswer {
    const found = typeof token === "string" ? this.refreshTokens.get(token) : undefined;
    if (!found || found.shop !== shop || found.revoked || found.expiresAt <= Date.now()) {
      return refused(400, "invalid_grant", "The refresh token is invalid, expired or revoked");
    }
    if (found.successor !== null) {
      const successor = this.refreshTokens.get(found.successor);
      if (successor?.used) {
        return refused(400, "invalid_grant", "The refresh token has already been used");
      }
    }
    found.used = true;
    const grant = this.issueExpiring(shop);
    // issueExpiring revoked every earlier token; the one just used stays
    // retryable until its replacement is used.
    found.revoked = false;
    found.successor = grant.refresh_token!;
    return { status: 200, body: grant };
  }

  private async exchange(shop: string, body: Record<string, unknown>): Promise<TokenEndpointAnswer> {
    const subject = typeof body.subject_token === "string" ? body.subject_token : "";
    if (body.subject_token_type === OFFLINE_TOKEN) {
      const found = this.accessTokens.get(subject);
      if (!found || found.shop !== shop || found.revoked || found.expiresAt !== null) {
        return refused(400, "invalid_subject_token", "The subject token is not a valid non-expiring token");
      }
      found.revoked = true;
      return { status: 200, body: this.issueExpiring(shop) };
    }
    if (body.subject_token_type === ID_TOKEN) {
      if (!(await this.sessionTokenValid(shop, subject))) {
        return refused(400, "invalid_subject_token", "The session token is invalid");
      }
      if (body.expiring === "1" || body.expiring === 1 || body.expiring === true) {
        return { status: 200, body: this.issueExpiring(shop) };
      }
      const accessToken = `shpat_${randomBytes(12).toString("hex")}`;
      this.addNonExpiringToken(shop, accessToken);
      return { status: 200, body: { access_token: accessToken, scope: this.options.scope ?? "" } };
    }
    return refused(400, "invalid_request", "Unsupported subject_token_type");
  }

  private apiKey(): string {
    const { apiKey } = this.options;
    return typeof apiKey === "function" ? apiKey() : apiKey;
  }

  private apiSecret(): string {
    const { apiSecret } = this.options;
    return typeof apiSecret === "function" ? apiSecret() : apiSecret;
  }

  private revokeExpiring(shop: string): void {
    for (const token of this.accessTokens.values()) {
      if (token.shop === shop && token.expiresAt !== null) token.revoked = true;
    }
    for (const token of this.refreshTokens.values()) if (token.shop === shop) token.revoked = true;
  }

  /** An HS256 session token signed with the app's secret, for this shop and app, not expired. */
  private async sessionTokenValid(shop: string, jwt: string): Promise<boolean> {
    try {
      const { payload } = await jwtVerify(jwt, new TextEncoder().encode(this.apiSecret()), {
        algorithms: ["HS256"],
        audience: this.apiKey(),
      });
      return payload.dest === `https://${shop}`;
    } catch {
      return false;
    }
  }
}

function refused(status: number, error: string, description: string): TokenEndpointAnswer {
  return { status, body: { error, error_description: description } };
}
