import { useMutation } from "@urql/preact";
import { useMemo, useState } from "preact/hooks";
import { ConsoleUpdateAttributesDocument, type ConsoleAccountAttributesFragment } from "../../../generated/graphql.ts";
import { outcomeOf } from "../../outcome.ts";
import { issuesOf } from "../../../shared/OutcomeLine.tsx";
import { AddressFields } from "./AddressFields.tsx";
import type { SaveResult } from "./AttributesTab.tsx";
import { changesOf, draftsOf, liveDefinitions, type Drafts } from "./changes.ts";
import { CustomFieldInput } from "./CustomFieldInput.tsx";
import type { Definition } from "./custom-field-values.ts";
import { ProfileFields } from "./ProfileFields.tsx";

interface Props {
  customer: ConsoleAccountAttributesFragment;
  definitions: readonly Definition[];
  allowed: boolean;
  onResult: (result: SaveResult | null) => void;
}

/** One form for the profile, the addresses and the defined custom fields; Save sends only what changed. */
export function AttributesForm({ customer, definitions, allowed, onResult }: Props) {
  const initial = useMemo(() => draftsOf(customer, definitions), [customer, definitions]);
  const [drafts, setDrafts] = useState<Drafts>(initial);
  const [{ fetching }, update] = useMutation(ConsoleUpdateAttributesDocument);
  const changes = changesOf(initial, drafts, definitions);
  const changed = Object.keys(changes).length > 0;

  const submit = async (event: Event) => {
    event.preventDefault();
    onResult(null);
    const result = await update({ id: customer.id, input: changes });
    onResult({ outcome: outcomeOf(result, () => "Saved."), issues: issuesOf(result.data) });
  };
  const fields = liveDefinitions(definitions);
  return (
    <form class="attributes" onSubmit={submit} aria-label="Attributes">
      <fieldset class="plain-fieldset" disabled={!allowed}>
        <ProfileFields
          values={drafts.profile}
          onChange={(field, value) => setDrafts({ ...drafts, profile: { ...drafts.profile, [field]: value } })}
        />
        <AddressFields addresses={drafts.addresses} onChange={(addresses) => setDrafts({ ...drafts, addresses })} />
        <fieldset class="form-grid">
          <legend>Custom fields</legend>
          {fields.length === 0 && <p class="hint">This identity store defines no custom field.</p>}
          {fields.map((definition) => (
            <CustomFieldInput
              key={definition.key}
              definition={definition}
              draft={drafts.custom[definition.key]!}
              onChange={(draft) => setDrafts({ ...drafts, custom: { ...drafts.custom, [definition.key]: draft } })}
            />
          ))}
        </fieldset>
        <div class="buttons">
          <button type="submit" disabled={fetching || !changed}>
            Save attributes
          </button>
          <button type="button" class="secondary" disabled={fetching || !changed} onClick={() => setDrafts(initial)}>
            Undo changes
          </button>
        </div>
      </fieldset>
    </form>
  );
}
