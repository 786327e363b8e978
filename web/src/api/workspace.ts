/**
 * The workspace the dashboard acts in, for users in several: sent as the `qrlink-workspace`
 * header (src/http/auth.ts); without it the server picks the user's first workspace.
 */
const STORAGE_KEY = 'qrlink.workspace';
export const WORKSPACE_HEADER = 'qrlink-workspace';

export function selectedWorkspaceId(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function selectWorkspace(id: string | null): void {
  try {
    if (id === null) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, id);
  } catch {
    // Storage may be disabled (private mode): the choice then lasts until reload.
  }
}
