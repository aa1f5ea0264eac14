import { ACCESS_LABELS, constraintsOf, INPUT_TYPES, type Definition, type Draft } from "./custom-field-values.ts";

interface Props {
  definition: Definition;
  draft: Draft;
  onChange: (draft: Draft) => void;
}

/** One defined custom field: an input of its type with its rules as HTML constraints, its access as a label. */
export function CustomFieldInput({ definition, draft, onChange }: Props) {
  const id = `custom-field-${definition.key}`;
  const hintId = `${id}-hint`;
  const hints = [
    definition.description,
    definition.type === "STRING_LIST" && "One item per line.",
    definition.maxItems != null && `At most ${definition.maxItems} items.`,
  ].filter(Boolean);
  return (
    <div class="field">
      <label for={id}>
        <span>
          {definition.key} {definition.required && <span class="label">Required</span>}{" "}
          <span class="label">{ACCESS_LABELS[definition.access]}</span>
        </span>
      </label>
      <Control id={id} definition={definition} draft={draft} onChange={onChange} describedBy={hints.length ? hintId : undefined} />
      {hints.length > 0 && (
        <p id={hintId} class="hint">
          {hints.join(" ")}
        </p>
      )}
    </div>
  );
}

function Control({ id, definition, draft, onChange, describedBy }: Props & { id: string; describedBy?: string }) {
  const common = { id, "aria-describedby": describedBy };
  if (definition.type === "BOOLEAN")
    return <input {...common} type="checkbox" checked={draft === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
  const text = String(draft);
  const { required, ...rules } = constraintsOf(definition);
  if (definition.type === "ENUM")
    return (
      <select {...common} required={required} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">(none)</option>
        {definition.enumValues.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
    );
  if (definition.type === "STRING_LIST")
    return <textarea {...common} required={required} rows={3} value={text} onInput={(e) => onChange(e.currentTarget.value)} />;
  return (
    <input
      {...common}
      {...rules}
      required={required}
      type={INPUT_TYPES[definition.type]}
      step={definition.type === "DECIMAL" ? "any" : definition.type === "INTEGER" ? 1 : undefined}
      value={text}
      onInput={(e) => onChange(e.currentTarget.value)}
    />
  );
}
