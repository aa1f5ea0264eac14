import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleUpdateCustomObjectDocument, type ConsoleCustomObjectFragment } from "../../../generated/graphql.ts";
import { outcomeOf, type Outcome } from "../../outcome.ts";
import { issuesOf, OutcomeLine } from "../../../shared/OutcomeLine.tsx";
import { parseJsonObject } from "./json-object.ts";

interface Props {
  object: ConsoleCustomObjectFragment;
  /** Called with the saved outcome, or null when cancelled. */
  onDone: (saved: Outcome | null) => void;
}

/** Replaces an object's data with the JSON typed: checked to be an object here before updateCustomObject is sent. */
export function EditCustomObject({ object, onDone }: Props) {
  const [text, setText] = useState(() => JSON.stringify(object.data, null, 2));
  const [failure, setFailure] = useState<{ outcome: Outcome; issues: { field: string; message: string }[] } | null>(null);
  const [{ fetching }, update] = useMutation(ConsoleUpdateCustomObjectDocument);
  const id = `custom-object-${object.id}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = parseJsonObject(text);
    if (!parsed.ok) return setFailure({ outcome: { ok: false, message: parsed.message }, issues: [] });
    const result = await update({ id: object.id, data: parsed.value });
    const outcome = outcomeOf(result, () => `Saved ${object.name}.`);
    if (outcome.ok) onDone(outcome);
    else setFailure({ outcome, issues: issuesOf(result.data) });
  };
  return (
    <form class="edit-object" onSubmit={submit}>
      <label for={id}>Data of {object.name} (a JSON object; replaces the whole data)</label>
      <textarea id={id} class="json" rows={12} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <div class="buttons">
        <button type="submit" disabled={fetching}>
          Save {object.name}
        </button>
        <button type="button" class="secondary" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
      <OutcomeLine outcome={failure?.outcome ?? null} issues={failure?.issues} />
    </form>
  );
}
