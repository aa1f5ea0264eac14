interface Props<T extends string> {
  label: string;
  value: T | "";
  values: readonly T[];
  onChange: (value: T | "") => void;
}

/** A list's filter on one enum value: "Any", or one of `values` (shown capitalised: PENDING → Pending). */
export function EnumFilter<T extends string>({ label, value, values, onChange }: Props<T>) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.currentTarget.value as T | "")}>
        <option value="">Any</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v.charAt(0) + v.slice(1).toLowerCase()}
          </option>
        ))}
      </select>
    </label>
  );
}
