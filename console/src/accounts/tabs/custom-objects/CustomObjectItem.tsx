import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleDeleteCustomObjectDocument, type ConsoleCustomObjectFragment } from "../../../generated/graphql.ts";
import { formatDate } from "../../labels.tsx";
import { outcomeOf, type Outcome } from "../../outcome.ts";
import { OutcomeLine } from "../../../shared/OutcomeLine.tsx";
import { EditCustomObject } from "./EditCustomObject.tsx";
import { CUSTOM_OBJECTS } from "./typenames.ts";

interface Props {
  object: ConsoleCustomObjectFragment;
  allowed: boolean;
}

/** One object: its JSON behind a disclosure, an editor, and a delete that asks first. */
export function CustomObjectItem({ object, allowed }: Props) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ fetching: deleting }, remove] = useMutation(ConsoleDeleteCustomObjectDocument);
  const confirmDelete = async () => {
    const result = outcomeOf(await remove({ id: object.id }, CUSTOM_OBJECTS), () => `Deleted ${object.name}.`);
    setConfirming(false);
    setOutcome(result);
  };
  return (
    <article class="custom-object" aria-label={`Custom object ${object.name}`}>
      <details open>
        <summary>
          <strong>{object.name}</strong>{" "}
          <span class="hint">
            created {formatDate(object.createdAt)}, updated {formatDate(object.updatedAt)}
          </span>
        </summary>
        {editing ? (
          <EditCustomObject object={object} onDone={(saved) => (setEditing(false), setOutcome(saved))} />
        ) : (
          <pre>{JSON.stringify(object.data, null, 2)}</pre>
        )}
      </details>
      {!editing && (
        <div class="buttons">
          <button type="button" class="secondary" disabled={!allowed} onClick={() => (setEditing(true), setOutcome(null))}>
            Edit {object.name}
          </button>
          {confirming ? (
            <>
              <span>Delete {object.name} for good?</span>
              <button type="button" class="destructive" disabled={!allowed || deleting} onClick={confirmDelete}>
                Yes, delete {object.name}
              </button>
              <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" class="destructive" disabled={!allowed} onClick={() => setConfirming(true)}>
              Delete {object.name}
            </button>
          )}
        </div>
      )}
      <OutcomeLine outcome={outcome} />
    </article>
  );
}
