import { useId, useState, type KeyboardEvent } from 'react';

/**
 * A list of short values (tags, country codes, languages, hosts): type and press Enter or a
 * comma to add, each value is a chip with its own remove button.
 */
export function TokenInput({
  label,
  value,
  onChange,
  normalize = (v) => v.trim(),
  display = (v) => v,
  suggestions,
  placeholder,
  hint,
  error,
  max,
}: {
  label: string;
  value: readonly string[];
  onChange: (next: string[]) => void;
  normalize?: (raw: string) => string;
  display?: (value: string) => string;
  suggestions?: readonly { value: string; label: string }[];
  placeholder?: string;
  hint?: string;
  error?: string | undefined;
  max?: number;
}) {
  const id = useId();
  const [draft, setDraft] = useState('');
  const add = (raw: string) => {
    const values = raw
      .split(',')
      .map(normalize)
      .filter((v) => v !== '' && !value.includes(v));
    if (values.length === 0) return;
    onChange([...value, ...values].slice(0, max ?? Infinity));
    setDraft('');
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      add(draft);
    } else if (e.key === 'Backspace' && draft === '' && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  };
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {value.length > 0 && (
        <ul className="tags" aria-label={`${label}: chosen`}>
          {value.map((v) => (
            <li key={v} className="tag">
              {display(v)}
              <button
                type="button"
                aria-label={`Remove ${display(v)}`}
                onClick={() => onChange(value.filter((x) => x !== v))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <input
          id={id}
          type="text"
          value={draft}
          placeholder={placeholder}
          list={suggestions ? `${id}-list` : undefined}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={() => add(draft)}
          aria-invalid={error ? true : undefined}
          aria-describedby={described || undefined}
          className="token-input"
        />
      </div>
      {suggestions && (
        <datalist id={`${id}-list`}>
          {suggestions.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </datalist>
      )}
      {hint && (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
