import vm from 'node:vm';

/** A form control or element as the account pages' scripts use them. */
export interface FakeElement {
  hidden: boolean;
  textContent: string;
  className: string;
  /** Named controls of a form (`form.token.value`). */
  [control: string]: unknown;
}

export interface PageRun {
  element(id: string): FakeElement;
  /** Submits a form the way a click on one of its buttons would; resolves when its handler ends. */
  submit(formId: string, button?: { value: string }): Promise<void>;
  /** Every API call the script made, in order. */
  calls: { method: string; path: string; status: number }[];
  /** Whether the script took the token out of the address bar. */
  fragmentCleared: () => boolean;
}

/**
 * Runs the one inline script of a server-rendered page against a stand-in for the few DOM
 * features it uses, with `fetch` going to the real server (same origin, cookies kept like a
 * browser's), so a test drives the page as a user would.
 */
export function runPageScript(
  html: string,
  options: { baseUrl: string; origin: string; hash: string },
): PageRun {
  const code = /<script nonce="[^"]+">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!code) throw new Error('the page has no nonce script');
  const elements = new Map<string, FakeElement>();
  const listeners = new Map<string, (event: unknown) => Promise<void>>();
  const element = (id: string): FakeElement => {
    let found = elements.get(id);
    if (!found) {
      if (!html.includes(`id="${id}"`)) throw new Error(`the page has no element #${id}`);
      found = {
        hidden: new RegExp(`id="${id}"[^>]*\\shidden`).test(html),
        textContent: '',
        className: '',
        token: { value: '' },
        password: { value: '' },
        email: { value: '' },
        addEventListener: (type: string, listener: (event: unknown) => Promise<void>) => {
          if (type === 'submit') listeners.set(id, listener);
        },
      };
      elements.set(id, found);
    }
    return found;
  };
  const calls: PageRun['calls'] = [];
  let cookie = '';
  const pageFetch = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(path, options.baseUrl), {
      ...init,
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        origin: options.origin,
        'sec-fetch-site': 'same-origin',
        ...(cookie ? { cookie } : {}),
      },
    });
    const set = res.headers.getSetCookie()[0];
    if (set) cookie = set.split(';')[0] as string;
    calls.push({ method: init.method ?? 'GET', path, status: res.status });
    return res;
  };
  let cleared = false;
  vm.runInNewContext(code, {
    document: { getElementById: element },
    location: { hash: options.hash, pathname: '/page' },
    history: {
      replaceState: () => {
        cleared = true;
      },
    },
    fetch: pageFetch,
    URLSearchParams,
  });
  return {
    element,
    calls,
    fragmentCleared: () => cleared,
    async submit(formId, button) {
      const listener = listeners.get(formId);
      if (!listener) throw new Error(`#${formId} has no submit handler`);
      await listener({ preventDefault: () => undefined, submitter: button ?? null });
    },
  };
}
