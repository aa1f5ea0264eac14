import type { ImportFormat, ImportMatch, ImportMode, StartCustomerImportInput } from "../generated/graphql.ts";

/** startCustomerImport's options as the form holds them. */
export interface ImportOptions {
  format: ImportFormat | "";
  mode: ImportMode;
  matchBy: ImportMatch;
  matchField: string;
  dryRun: boolean;
  /** Column → field as JSON text; empty: the columns are the record's field names. */
  mapping: string;
}

export const DEFAULT_OPTIONS: ImportOptions = { format: "", mode: "INSERT", matchBy: "UID", matchField: "", dryRun: false, mapping: "" };

/** The options as the mutation's input (the file added), or why they cannot be: the mapping is not a JSON object. */
export function importInput(file: File, options: ImportOptions): { input?: StartCustomerImportInput; problem?: string } {
  let mapping: Record<string, unknown> | undefined;
  if (options.mapping.trim()) {
    try {
      const parsed: unknown = JSON.parse(options.mapping);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) mapping = parsed as Record<string, unknown>;
    } catch {
      // Answered below, like any other shape.
    }
    if (!mapping) return { problem: 'The column mapping must be a JSON object, e.g. { "E-Mail": "email" }.' };
  }
  const { format, mode, matchBy, matchField, dryRun } = options;
  return { input: { file, format: format || undefined, mode, matchBy, matchField: matchField.trim() || undefined, dryRun, mapping } };
}

/** The import's options: format, mode, what a row is matched by, the column mapping, dry run. */
export function ImportOptionsFields({ options, set }: { options: ImportOptions; set: (next: Partial<ImportOptions>) => void }) {
  return (
    <>
      <div class="row">
        <label>
          Format
          <select value={options.format} onChange={(e) => set({ format: e.currentTarget.value as ImportOptions["format"] })}>
            <option value="">From the file name</option>
            <option value="CSV">CSV</option>
            <option value="JSON">JSON</option>
            <option value="NDJSON">NDJSON</option>
          </select>
        </label>
        <label>
          Mode
          <select value={options.mode} onChange={(e) => set({ mode: e.currentTarget.value as ImportMode })}>
            <option value="INSERT">New customers only</option>
            <option value="UPSERT">New and matching customers (update)</option>
          </select>
        </label>
        <label>
          Match by
          <select value={options.matchBy} onChange={(e) => set({ matchBy: e.currentTarget.value as ImportMatch })}>
            <option value="UID">UID</option>
            <option value="EMAIL">Email</option>
            <option value="FIELD">A custom field (external id)</option>
          </select>
        </label>
        {options.matchBy === "FIELD" && (
          <label>
            Custom field key
            <input required value={options.matchField} onInput={(e) => set({ matchField: e.currentTarget.value })} />
          </label>
        )}
      </div>
      <label>
        Column mapping (optional JSON: column → field, e.g. {'{ "E-Mail": "email" }'})
        <textarea rows={2} value={options.mapping} onInput={(e) => set({ mapping: e.currentTarget.value })} />
      </label>
      <label class="check">
        <input type="checkbox" checked={options.dryRun} onChange={(e) => set({ dryRun: e.currentTarget.checked })} />
        <span>Dry run: check every row, write nothing</span>
      </label>
    </>
  );
}
