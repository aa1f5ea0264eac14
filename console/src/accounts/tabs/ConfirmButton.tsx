import { useEffect, useRef, useState } from "preact/hooks";

interface Props {
  /** The button's name, e.g. "Remove". */
  label: string;
  /** What pressing it will do, asked before it is done. */
  question: string;
  /** The confirming button's name, e.g. "Remove the app". */
  confirmLabel: string;
  disabled: boolean;
  onConfirm: () => void;
}

/**
 * A destructive action asked twice, in place (no modal dialog): the first press shows the question
 * with a confirm and a cancel button, and moves the focus to the confirm button.
 */
export function ConfirmButton({ label, question, confirmLabel, disabled, onConfirm }: Props) {
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  if (!asking)
    return (
      <button type="button" class="destructive" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        ref={confirm}
        type="button"
        class="destructive"
        disabled={disabled}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
