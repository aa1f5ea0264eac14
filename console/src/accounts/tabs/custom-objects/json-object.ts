/** The text as a JSON object (what updateCustomObject's data must be), or why it is not one. */
export function parseJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (failure) {
    return { ok: false, message: `Not valid JSON: ${(failure as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, message: "The data must be a JSON object ({ … }), not an array or a single value." };
  return { ok: true, value: value as Record<string, unknown> };
}
