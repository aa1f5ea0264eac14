import type { SearchField } from "./fields.ts";
import { newCondition, type Combine, type Condition } from "./filter.ts";
import { ConditionRow } from "./ConditionRow.tsx";

interface Props {
  combine: Combine;
  conditions: Condition[];
  fields: SearchField[];
  onChange: (combine: Combine, conditions: Condition[]) => void;
}

/** The list of conditions and how they combine ("all of" / "any of"); rows are added and removed. */
export function QueryBuilder({ combine, conditions, fields, onChange }: Props) {
  const replace = (key: number, next: Condition | null) =>
    onChange(
      combine,
      conditions.flatMap((c) => (c.key !== key ? [c] : next ? [next] : [])),
    );
  return (
    <fieldset class="builder">
      <legend>Conditions</legend>
      <label class="inline">
        Match
        <select value={combine} onChange={(e) => onChange(e.currentTarget.value as Combine, conditions)}>
          <option value="all">all of the conditions</option>
          <option value="any">any of the conditions</option>
        </select>
      </label>
      {conditions.length > 0 && (
        <ol class="plain conditions">
          {conditions.map((condition, i) => (
            <ConditionRow
              key={condition.key}
              condition={condition}
              position={i + 1}
              fields={fields}
              onChange={(next) => replace(condition.key, next)}
              onRemove={() => replace(condition.key, null)}
            />
          ))}
        </ol>
      )}
      <button
        type="button"
        class="secondary"
        disabled={fields.length === 0}
        onClick={() => onChange(combine, [...conditions, newCondition(fields[0]!)])}
      >
        Add condition
      </button>
    </fieldset>
  );
}
