interface Props {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** "new-password" for a password being chosen (password managers offer to generate one). */
  autocomplete?: "current-password" | "new-password";
  minLength?: number;
}

/** A labelled, required password input. */
export function PasswordField({ id, label, value, onInput, autocomplete = "current-password", minLength }: Props) {
  return (
    <>
      <label for={id}>{label}</label>
      <input
        id={id}
        type="password"
        autocomplete={autocomplete}
        minLength={minLength}
        required
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </>
  );
}
