import { Fragment } from "preact";
import type { Definition } from "./custom-field-values.ts";

interface Props {
  values: Record<string, unknown>;
  definitions: readonly Definition[];
}

/** Keys the customer holds that no definition (live or retired) describes: shown as they are, read-only. */
export function UndefinedFields({ values, definitions }: Props) {
  const defined = new Set(definitions.map((d) => d.key));
  const keys = Object.keys(values).filter((key) => !defined.has(key));
  if (keys.length === 0) return null;
  return (
    <section aria-labelledby="undefined-fields">
      <h3 id="undefined-fields">Custom fields without a definition</h3>
      <p class="hint">Read-only: define a field for a key to change it here.</p>
      <dl class="overview">
        {keys.map((key) => (
          <Fragment key={key}>
            <dt>{key}</dt>
            <dd>
              <code>{JSON.stringify(values[key])}</code>
            </dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}
