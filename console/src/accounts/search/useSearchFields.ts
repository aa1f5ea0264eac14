import { useQuery } from "@urql/preact";
import { useMemo } from "preact/hooks";
import { ConsoleSearchChoicesDocument } from "../../generated/graphql.ts";
import { searchFields, type SearchChoices, type SearchField } from "./fields.ts";

const named = (connection: { edges: { node: { id: string; name: string } }[] } | undefined) =>
  connection?.edges.map(({ node }) => ({ value: node.id, label: node.name })) ?? [];

/** The builder's fields in this store and the store's choices (groups for the bulk actions too). */
export function useSearchFields(): { fields: SearchField[]; choices: SearchChoices; error?: string } {
  const [{ data, error }] = useQuery({ query: ConsoleSearchChoicesDocument });
  const choices = useMemo<SearchChoices>(
    () => ({
      groups: named(data?.groups),
      organizations: named(data?.organizations),
      roles: named(data?.roles),
      customFields: data?.customFieldDefinitions.filter((definition) => definition.searchable) ?? [],
    }),
    [data],
  );
  const fields = useMemo(() => searchFields(choices), [choices]);
  return { fields, choices, error: error?.message };
}
