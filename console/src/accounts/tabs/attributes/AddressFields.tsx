import { ADDRESS_PARTS, type AddressDraft } from "./changes.ts";

const LABELS: Record<keyof AddressDraft, string> = {
  type: "Type (e.g. home, work, billing)",
  line1: "Line 1",
  line2: "Line 2",
  postalCode: "Postal code",
  city: "City",
  region: "Region",
  country: "Country (ISO 3166-1 alpha-2)",
};

const EMPTY = Object.fromEntries(ADDRESS_PARTS.map((part) => [part, ""])) as AddressDraft;

interface Props {
  addresses: AddressDraft[];
  onChange: (addresses: AddressDraft[]) => void;
}

/** The customer's addresses: each one's parts, removable; updateCustomer replaces the whole list. */
export function AddressFields({ addresses, onChange }: Props) {
  const change = (index: number, part: keyof AddressDraft, value: string) =>
    onChange(addresses.map((address, i) => (i === index ? { ...address, [part]: value } : address)));
  return (
    <fieldset>
      <legend>Addresses</legend>
      {addresses.length === 0 && <p class="hint">No address.</p>}
      {addresses.map((address, index) => (
        <fieldset key={index} class="form-grid">
          <legend>Address {index + 1}</legend>
          {ADDRESS_PARTS.map((part) => (
            <label key={part}>
              {LABELS[part]}
              <input value={address[part]} autocomplete="off" onInput={(e) => change(index, part, e.currentTarget.value)} />
            </label>
          ))}
          <button type="button" class="secondary" onClick={() => onChange(addresses.filter((_, i) => i !== index))}>
            Remove address {index + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" class="secondary" onClick={() => onChange([...addresses, { ...EMPTY }])}>
        Add address
      </button>
    </fieldset>
  );
}
