import type { SearchField } from "./fields.ts";
import type { Condition } from "./filter.ts";
import { ValueInput } from "./ValueInput.tsx";

interface Props {
  condition: Condition;
  /** 1-based, for the inputs' names ("Condition 2 field"). */
  position: number;
  fields: SearchField[];
  onChange: (condition: Condition) => void;
  onRemove: () => void;
}

/** One row of the builder: field, operator, value (when the operator takes one), remove. */
export function ConditionRow({ condition, position, fields, onChange, onRemove }: Props) {
  const field = fields.find((f) => f.id === condition.field);
  const op = field?.operators.find((o) => o.id === condition.op);
  const name = `Condition ${position}`;
  // Another field starts at its first operator with no value: values of one field mean nothing to another.
  const chooseField = (id: string) => {
    const next = fields.find((f) => f.id === id);
    if (next) onChange({ ...condition, field: id, op: next.operators[0]!.id, value: "" });
  };
  const chooseOp = (id: string) => {
    const next = field?.operators.find((o) => o.id === id);
    const sameKind = next?.takes?.kind === op?.takes?.kind;
    onChange({ ...condition, op: id, value: sameKind ? condition.value : "" });
  };
  return (
    <li class="condition">
      <select aria-label={`${name} field`} value={condition.field} onChange={(e) => chooseField(e.currentTarget.value)}>
        {!field && <option value={condition.field}>(field not available)</option>}
        {fields.map((f) => (
          <option key={f.id} value={f.id}>
            {f.label}
          </option>
        ))}
      </select>
      <select aria-label={`${name} operator`} value={condition.op} onChange={(e) => chooseOp(e.currentTarget.value)}>
        {field?.operators.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
      {op?.takes && (
        <ValueInput
          kind={op.takes}
          value={condition.value}
          label={`${name} value`}
          blank="Choose…"
          onChange={(value) => onChange({ ...condition, value })}
        />
      )}
      <button type="button" class="secondary" onClick={onRemove} aria-label={`Remove condition ${position}`}>
        Remove
      </button>
    </li>
  );
}
