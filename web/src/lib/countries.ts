import countries from 'i18n-iso-countries';
import { countryName } from './format';

/** ISO 3166-1 codes with their names in the browser's language (names from Intl). */
export function countryOptions(): { value: string; label: string }[] {
  return Object.keys(countries.getAlpha2Codes())
    .map((code) => ({ value: code, label: countryName(code) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** world-atlas identifies countries by ISO 3166-1 numeric code ("276" → "DE"). */
export function alpha2FromNumeric(numeric: string | number | undefined): string | undefined {
  return numeric === undefined
    ? undefined
    : countries.numericToAlpha2(String(numeric).padStart(3, '0'));
}
