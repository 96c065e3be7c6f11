import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { decodeKey, env } from "../env.server";

/**
 * Brilliant API keys and secrets are stored encrypted (AES-256-GCM) with a key
 * that lives only in the environment, so a copy of the database alone does not
 * hand out anyone's Brilliant account. Format: v1.<iv>.<tag>.<ciphertext>, base64url.
 *
 * During a key rotation CREDENTIALS_ENCRYPTION_KEY_PREVIOUS is set too: values
 * sealed with it still open, and everything written is sealed with the current
 * key (`npm run rotate-key` re-seals the rest).
 */
export class CredentialsDecryptionError extends Error {
  override name = "CredentialsDecryptionError";
}

/** Which key a stored value opened with. */
export type SealedWith = "current" | "previous";

function key(): Buffer {
  const decoded = decodeKey(env().CREDENTIALS_ENCRYPTION_KEY);
  if (!decoded) throw new CredentialsDecryptionError("CREDENTIALS_ENCRYPTION_KEY is not 32 bytes");
  return decoded;
}

/** The keys a value may open with, the current one first. */
function keys(): [SealedWith, Buffer][] {
  const previous = env().CREDENTIALS_ENCRYPTION_KEY_PREVIOUS;
  const decoded = previous === undefined ? null : decodeKey(previous);
  return decoded
    ? [
        ["current", key()],
        ["previous", decoded],
      ]
    : [["current", key()]];
}

export function encryptSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", iv, tag, ciphertext]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

export function decryptSecret(sealed: string): string {
  return openSecret(sealed).plain;
}

/** The plain value and which key opened it; throws CredentialsDecryptionError when neither does. */
export function openSecret(sealed: string): { plain: string; sealedWith: SealedWith } {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined) {
    throw new CredentialsDecryptionError("Stored credentials are not in a known format");
  }
  for (const [sealedWith, candidate] of keys()) {
    try {
      const decipher = createDecipheriv("aes-256-gcm", candidate, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(ciphertext, "base64url")),
        decipher.final(),
      ]).toString("utf8");
      return { plain, sealedWith };
    } catch {
      // The tag does not match this key: try the next.
    }
  }
  throw new CredentialsDecryptionError(
    "Stored credentials cannot be decrypted: was CREDENTIALS_ENCRYPTION_KEY changed?",
  );
}
