import type { ValueKind } from "./operators.ts";

interface Props {
  kind: ValueKind;
  value: string;
  /** The input's accessible name. */
  label: string;
  /** The choice list's blank entry ("Any" for a pinned field: not searched). */
  blank: string;
  onChange: (value: string) => void;
}

/** A condition's value, typed by its field and operator: text, number, date, or one of a list. */
export function ValueInput({ kind, value, label, blank, onChange }: Props) {
  if (kind.kind === "choice") {
    return (
      <select aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{blank}</option>
        {kind.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  }
  const type = kind.kind === "number" ? "number" : kind.kind === "date" ? "date" : "search";
  return <input aria-label={label} type={type} value={value} onInput={(e) => onChange(e.currentTarget.value)} />;
}
