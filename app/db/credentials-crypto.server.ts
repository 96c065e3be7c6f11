import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { decodeKey, env } from "../env.server";

/**
 * Brilliant API keys and secrets are stored encrypted (AES-256-GCM) with a key
 * that lives only in the environment, so a copy of the database alone does not
 * hand out anyone's Brilliant account. Format: v1.<iv>.<tag>.<ciphertext>, base64url.
 */
export class CredentialsDecryptionError extends Error {
  override name = "CredentialsDecryptionError";
}

function key(): Buffer {
  const decoded = decodeKey(env().CREDENTIALS_ENCRYPTION_KEY);
  if (!decoded) throw new CredentialsDecryptionError("CREDENTIALS_ENCRYPTION_KEY is not 32 bytes");
  return decoded;
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
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined) {
    throw new CredentialsDecryptionError("Stored credentials are not in a known format");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new CredentialsDecryptionError(
      "Stored credentials cannot be decrypted: was CREDENTIALS_ENCRYPTION_KEY changed?",
    );
  }
}
