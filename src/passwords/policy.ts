import { createRequire } from "node:module";
import { ValidationError } from "../errors.ts";

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

// NIST 800-63B 5.1.1.2: length is what counts. No composition rules (they push people to
// predictable patterns), no periodic expiry; but a password must not be one that attackers try
// first. The list is zxcvbn-ts's common-password dictionary (@zxcvbn-ts/language-common: 49,233
// passwords ranked from public breach corpora, maintained with zxcvbn-ts). It is loaded on the
// first password check, not at start-up: ≈ 50 ms and ≈ 5 MB of memory, paid once per process.
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!common) {
    const { dictionary } = createRequire(import.meta.url)("@zxcvbn-ts/language-common") as { dictionary: Record<string, string[]> };
    common = new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  }
  return common;
}

/**
 * Checks a new password against the policy: at least `minLength` and at most `maxLength`
 * characters (Unicode code points, so an emoji counts once), not a well-known password.
 * Throws VALIDATION_FAILED naming `field`. No I/O after the first call (which loads the list).
 */
export function assertPasswordAllowed(password: string, policy: PasswordPolicy, field: string): void {
  const length = [...password.normalize("NFKC")].length;
  const problem =
    length < policy.minLength
      ? `at least ${policy.minLength} characters`
      : length > policy.maxLength
        ? `at most ${policy.maxLength} characters`
        : commonPasswords().has(password.normalize("NFKC").toLowerCase())
          ? "too common: choose a password that is not on lists of frequently used passwords"
          : null;
  if (problem) throw new ValidationError([{ field, message: problem }]);
}
