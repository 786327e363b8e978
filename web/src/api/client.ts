import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import type { pendingPaths } from './pending';
import { ProblemError, toProblem } from './problem';
import { selectedWorkspaceId, WORKSPACE_HEADER } from './workspace';

/**
 * The one client of the API. Same-origin requests carry the session cookie, and the browser's
 * `Sec-Fetch-Site: same-origin` satisfies the server's CSRF check (src/http/csrf.ts).
 */
export const api = createClient<paths & pendingPaths>({ baseUrl: '', credentials: 'same-origin' });

const workspaceHeader: Middleware = {
  onRequest({ request }) {
    const workspaceId = selectedWorkspaceId();
    if (workspaceId && !request.headers.has(WORKSPACE_HEADER)) {
      request.headers.set(WORKSPACE_HEADER, workspaceId);
    }
    return request;
  },
};
api.use(workspaceHeader);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a successful answer; anything else becomes a ProblemError. */
export async function unwrap<T>(request: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await request;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ProblemError(toProblem(0, null));
  }
  if (!answer.response.ok) throw new ProblemError(toProblem(answer.response.status, answer.error));
  return answer.data as T;
}
