import { ValidationError } from "../errors.ts";

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

// NIST 800-63B 5.1.1.2: length is what counts. No composition rules (they push people to
// predictable patterns), no periodic expiry; but a password must not be one of the most common
// ones. This short list catches the worst; a tenant wanting more can screen at sign-up.
const COMMON = new Set([
  "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwertyuiop", "qwerty123",
  "11111111", "00000000", "iloveyou", "abc12345", "letmein1", "sunshine", "princess", "football",
  "baseball", "welcome1", "admin123", "passw0rd", "trustno1", "superman", "1q2w3e4r", "qwertyui",
]);

/**
 * Checks a new password against the policy: at least `minLength` and at most `maxLength`
 * characters (Unicode code points, so an emoji counts once), not a well-known password.
 * Throws VALIDATION_FAILED naming `field`. Pure, no I/O.
 */
export function assertPasswordAllowed(password: string, policy: PasswordPolicy, field: string): void {
  const length = [...password.normalize("NFKC")].length;
  const problem =
    length < policy.minLength
      ? `at least ${policy.minLength} characters`
      : length > policy.maxLength
        ? `at most ${policy.maxLength} characters`
        : COMMON.has(password.toLowerCase())
          ? "too common: choose a password that is not on lists of frequently used passwords"
          : null;
  if (problem) throw new ValidationError([{ field, message: problem }]);
}
