import { useState } from 'react';
import { useSimulate, type Link, type SimulateInput } from '../../api/links';
import { formErrors } from '../../api/problem';
import { SelectField, TextField } from '../../components/fields';
import { FormError } from '../../components/states';
import { browserTimeZone, localInputToIso } from '../../lib/format';

const USER_AGENTS: Record<string, string> = {
  iPhone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Android phone':
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  iPad: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Windows, Chrome':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mac, Safari':
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
};

/** "An iPhone in Germany at 21:00 goes to …, because rule 2": the server's rule engine, asked. */
export function Simulator({ link, dirty }: { link: Link; dirty: boolean }) {
  const [timeZone] = useState(browserTimeZone);
  const simulate = useSimulate(link.id);
  const [device, setDevice] = useState('iPhone');
  const [userAgent, setUserAgent] = useState('');
  const [country, setCountry] = useState('');
  const [language, setLanguage] = useState('');
  const [time, setTime] = useState('');
  const [referrer, setReferrer] = useState('');
  const [query, setQuery] = useState('');
  const [scanNumber, setScanNumber] = useState('');
  const errors = formErrors(simulate.error, [
    'userAgent',
    'country',
    'language',
    'time',
    'referrer',
    'query',
    'scanNumber',
  ]);
  const result = simulate.data;
  const ruleName = (index: number) => link.rules?.[index]?.label || `rule ${index + 1}`;

  const run = () => {
    const body: SimulateInput = {
      userAgent: device === 'custom' ? userAgent : (USER_AGENTS[device] ?? ''),
      ...(country.trim() ? { country: country.trim().toUpperCase() } : {}),
      ...(language.trim() ? { language: language.trim() } : {}),
      ...(time ? { time: localInputToIso(time, timeZone) ?? undefined } : {}),
      ...(referrer.trim() ? { referrer: referrer.trim() } : {}),
      ...(query.trim()
        ? { query: Object.fromEntries(new URLSearchParams(query.trim().replace(/^\?/, ''))) }
        : {}),
      ...(scanNumber ? { scanNumber: Number(scanNumber) } : {}),
    };
    simulate.mutate(body);
  };

  return (
    <section className="card stack" aria-labelledby="sim-title">
      <h2 id="sim-title">Try a visitor</h2>
      {dirty && (
        <div className="alert alert-info" role="status">
          The simulator uses the saved rules. Save to include your changes.
        </div>
      )}
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <FormError message={errors.summary} />
        <SelectField label="Device" value={device} onChange={(e) => setDevice(e.target.value)}>
          {Object.keys(USER_AGENTS).map((name) => (
            <option key={name}>{name}</option>
          ))}
          <option value="custom">Custom user agent…</option>
        </SelectField>
        {device === 'custom' && (
          <TextField
            label="User agent"
            value={userAgent}
            onChange={(e) => setUserAgent(e.target.value)}
            error={errors.fields.userAgent}
          />
        )}
        <div className="form-row">
          <TextField
            label="Country"
            maxLength={2}
            placeholder="DE"
            value={country}
            onChange={(e) => setCountry(e.target.value)}
            error={errors.fields.country}
          />
          <TextField
            label="Language"
            placeholder="de-DE"
            value={language}
            onChange={(e) => setLanguage(e.target.value)}
            error={errors.fields.language}
          />
        </div>
        <TextField
          label={`Time (${timeZone}; empty: now)`}
          type="datetime-local"
          value={time}
          onChange={(e) => setTime(e.target.value)}
          error={errors.fields.time}
        />
        <div className="form-row">
          <TextField
            label="Referrer"
            placeholder="https://news.example.com/"
            value={referrer}
            onChange={(e) => setReferrer(e.target.value)}
            error={errors.fields.referrer}
          />
          <TextField
            label="Query string"
            placeholder="ref=poster"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            error={errors.fields.query}
          />
        </div>
        <TextField
          label="Scan number"
          type="number"
          min={1}
          value={scanNumber}
          onChange={(e) => setScanNumber(e.target.value)}
          error={errors.fields.scanNumber}
        />
        <button type="submit" className="btn btn-primary" disabled={simulate.isPending}>
          Simulate
        </button>
      </form>
      <div aria-live="polite">
        {result && (
          <div className="stack">
            <div className="verdict">
              <p>
                <strong>
                  {device === 'custom' ? 'This visitor' : `A visitor on ${device}`}
                  {result.visitor.country ? ` in ${result.visitor.country}` : ''}
                </strong>{' '}
                goes to <span className="break mono">{result.url}</span>
              </p>
              <p className="small">
                {result.rule === null ? 'No rule matched' : `Because of ${ruleName(result.rule)}`}
                {result.variant !== null
                  ? `, variant ${String.fromCharCode(65 + result.variant)}`
                  : ''}
                : {result.reason}
              </p>
              {result.appUrl && (
                <p className="small">The app link {result.appUrl} is offered first.</p>
              )}
            </div>
            <p className="small muted">
              Seen as: {result.visitor.device}, {result.visitor.os ?? 'unknown OS'},{' '}
              {result.visitor.browser ?? 'unknown browser'},{' '}
              {result.visitor.country ?? 'unknown country'},{' '}
              {result.visitor.language ?? 'no language'}
            </p>
            {result.rules.length > 0 && (
              <ul className="sim-rules" aria-label="Each rule">
                {result.rules.map((r) => (
                  <li key={r.index}>
                    <span className={`badge ${r.matched ? 'badge-success' : ''}`}>
                      {r.matched ? 'match' : 'no'}
                    </span>
                    <span>
                      {ruleName(r.index)}
                      {r.failedOn ? `: ${r.failedOn} does not match` : ''}
                      {r.visitor ? ` (visitor: ${r.visitor})` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
