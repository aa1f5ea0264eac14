import type { ProfileField } from "./changes.ts";

const LABELS: Record<ProfileField, string> = {
  firstName: "First name",
  middleName: "Middle name",
  lastName: "Last name",
  nickname: "Nickname",
  username: "Username",
  birthdate: "Birthdate",
  gender: "Gender",
  company: "Company",
  jobTitle: "Job title",
  locale: "Locale (BCP 47, e.g. en-GB)",
  timezone: "Time zone (IANA, e.g. Europe/Berlin)",
};

// The browser's own list of IANA zones, offered as suggestions; the gateway checks the value.
const TIME_ZONES = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

interface Props {
  values: Record<ProfileField, string>;
  onChange: (field: ProfileField, value: string) => void;
}

/** The customer's profile fields, one labelled input each. */
export function ProfileFields({ values, onChange }: Props) {
  return (
    <fieldset class="form-grid">
      <legend>Profile</legend>
      {(Object.keys(LABELS) as ProfileField[]).map((field) => (
        <label key={field}>
          {LABELS[field]}
          <input
            name={field}
            type={field === "birthdate" ? "date" : "text"}
            list={field === "timezone" ? "time-zones" : undefined}
            autocomplete="off"
            value={values[field]}
            onInput={(e) => onChange(field, e.currentTarget.value)}
          />
        </label>
      ))}
      <datalist id="time-zones">
        {TIME_ZONES.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </fieldset>
  );
}
