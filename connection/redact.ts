/**
 * Removal of secrets from text that may reach a log, an error or a result.
 * @module
 */

/** The mark that replaces a secret. */
export const REDACTED = "***";

/**
 * Replaces every known secret, every `PWD=...`-style pair and every password
 * in a URL's user info with {@link REDACTED}.
 *
 * @example
 * ```ts
 * redact("login failed for postgres://me:pw@db/x", ["pw"]); // "login failed for postgres://me:***@db/x"
 * ```
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.replaceAll(secret, REDACTED);
  }
  return out
    .replace(
      /\b(PWD|PASSWORD|AuthenticationParameter|MechanismKey|LOGDATA|AccessToken|Token|AuthenticationPassword)(\s*=\s*)(\{(?:[^}]|\}\})*\}|[^;\s]*)/gi,
      `$1$2${REDACTED}`,
    )
    .replace(
      /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]*)@/gi,
      `$1${REDACTED}@`,
    );
}
