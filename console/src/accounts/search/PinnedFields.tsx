import { useState } from "preact/hooks";
import type { SearchField } from "./fields.ts";
import { ValueInput } from "./ValueInput.tsx";

interface Props {
  pins: string[];
  values: Record<string, string>;
  fields: SearchField[];
  onValues: (values: Record<string, string>) => void;
  onPins: (pins: string[]) => void;
}

/** The pinned fields as simple inputs (each with its field's first operator), and pinning more. */
export function PinnedFields({ pins, values, fields, onValues, onPins }: Props) {
  const unpinned = fields.filter((f) => !pins.includes(f.id));
  const [choice, setChoice] = useState("");
  const toPin = unpinned.find((f) => f.id === choice) ?? unpinned[0];
  const unpin = (id: string) => {
    const { [id]: _dropped, ...rest } = values;
    onValues(rest);
    onPins(pins.filter((pin) => pin !== id));
  };
  return (
    <fieldset class="pins">
      <legend>Pinned fields</legend>
      <div class="pinned">
        {pins.map((id) => {
          const field = fields.find((f) => f.id === id);
          const op = field?.operators[0];
          if (!field || !op?.takes) return null;
          const label = `${field.label} (${op.label})`;
          return (
            <div key={id} class="pin">
              <label>
                {label}
                <ValueInput
                  kind={op.takes}
                  value={values[id] ?? ""}
                  label={label}
                  blank="Any"
                  onChange={(v) => onValues({ ...values, [id]: v })}
                />
              </label>
              <button type="button" class="link" aria-label={`Unpin ${field.label}`} onClick={() => unpin(id)}>
                Unpin
              </button>
            </div>
          );
        })}
      </div>
      <div class="pin-more">
        <label class="inline">
          Field to pin
          <select value={toPin?.id ?? ""} onChange={(e) => setChoice(e.currentTarget.value)}>
            {unpinned.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" disabled={!toPin} onClick={() => toPin && onPins([...pins, toPin.id])}>
          Pin field
        </button>
      </div>
    </fieldset>
  );
}
