/** Benchmarks' account: signs up through the API and creates an API key with `scopes`. */
export async function createWorkspace(url: string, scopes: readonly string[]) {
  const signup = await fetch(`${url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.test', password: 'correct horse battery' }),
  });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const me = (await signup.json()) as { workspace: { id: string } };
  const cookie = (signup.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: url },
    body: JSON.stringify({ name: 'bench', scopes }),
  });
  if (created.status !== 201) throw new Error(`key: ${created.status} ${await created.text()}`);
  const { key } = (await created.json()) as { key: string };
  return { workspaceId: me.workspace.id, key };
}
