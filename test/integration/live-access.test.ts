import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, signUp, startTestApp, type Dialect, type TestApp } from '../helpers/app.js';
import {
  addMember,
  makeKey,
  makeUser,
  makeWorkspace,
  type FixtureKey,
} from '../helpers/fixtures.js';
import { createLink, hit, until } from '../helpers/redirect.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { postgresMissing } from '../helpers/services.js';

/**
 * The live feed (`/api/v1/analytics/live`) only lasts as long as the access it was opened
 * with: revoking the key, removing the member, changing their role, logging out or deleting
 * the workspace ends every stream it opened within a second, on whichever process holds it.
 * Open streams are capped per credential and per workspace.
 */
const pgMissing = await postgresMissing();

/** How long a stream may outlive the access it was opened with. */
const END_WITHIN_MS = 1000;

interface Stream {
  status: number;
  /** The problem document when the stream was refused. */
  problem: Record<string, unknown> | null;
  ended(): boolean;
  text(): string;
  close(): void;
}

type Credential = { key: string } | { cookie: string };

async function openStream(baseUrl: string, credential: Credential): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/v1/analytics/live`, {
    headers:
      'key' in credential
        ? { authorization: `Bearer ${credential.key}` }
        : { cookie: credential.cookie },
    signal: controller.signal,
  });
  if (res.status !== 200) {
    return {
      status: res.status,
      problem: (await res.json()) as Record<string, unknown>,
      ended: () => true,
      text: () => '',
      close: () => undefined,
    };
  }
  let text = '';
  let ended = false;
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value);
      }
    } catch {
      // Aborted by the test.
    }
    ended = true;
  })();
  return {
    status: res.status,
    problem: null,
    ended: () => ended,
    text: () => text,
    close: () => controller.abort(),
  };
}

/** Polls until every stream has ended; fails past the deadline. Returns the time it took. */
async function expectEnded(streams: Stream[], deadlineMs = END_WITHIN_MS): Promise<number> {
  const result = await until(
    async () => streams.every((s) => s.ended()),
    (done) => done,
    deadlineMs,
  );
  expect(result.ok, `streams still open after ${result.ms} ms`).toBe(true);
  return result.ms;
}

/** A stream that must stay open still delivers: a scan of the workspace reaches it. */
async function expectDelivers(stream: Stream, baseUrl: string, code: string): Promise<void> {
  const before = stream.text().split('event: scan\n').length;
  expect((await hit(baseUrl, `/${code}`)).status).toBe(302);
  const result = await until(
    async () => stream.text().split('event: scan\n').length,
    (n) => n > before,
    5000,
  );
  expect(result.ok, 'the scan never reached the stream that should stay open').toBe(true);
  expect(stream.ended()).toBe(false);
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && pgMissing)(`live streams on ${dialect}`, () => {
    let t: TestApp;
    let other: ServeProcess;
    const open: Stream[] = [];
    const stream = async (baseUrl: string, credential: Credential) => {
      const s = await openStream(baseUrl, credential);
      open.push(s);
      return s;
    };

    beforeAll(async () => {
      t = await startTestApp({
        dialect,
        env: { QRLINK_SIGNUP: 'open' },
        overrides: { writer: { intervalMs: 20 } },
      });
      // Another server on the same database: the one holding a stream need not be the one
      // that handles the revocation.
      other = await startServe({
        QRLINK_DATA_DIR: t.dataDir,
        QRLINK_SECRET: t.app.ctx.secret,
        ...(dialect === 'postgres'
          ? { QRLINK_DATABASE_URL: t.app.ctx.config.db.postgresUrl as string }
          : {}),
      });
    });
    afterAll(async () => {
      for (const s of open) s.close();
      await other?.stop();
      await t?.close();
    });

    /** A workspace with an owner, a member of `role`, a key each, and a tracked link. */
    async function team(role: 'admin' | 'member' | 'viewer' = 'member') {
      const owner = await makeUser(t, 'owner');
      const workspaceId = await makeWorkspace(t, owner);
      const member = await addMember(t, workspaceId, role);
      const ownerKey = await makeKey(t, workspaceId, owner);
      const memberKey = await makeKey(t, workspaceId, member, ['analytics:read'], role);
      const link = await ownerKey.api.request('POST', '/api/v1/links', {
        url: 'https://example.com/watched',
      });
      expect(link.status).toBe(201);
      const membership = `/api/v1/workspaces/${workspaceId}/members/${member.userId}`;
      return {
        owner,
        member,
        workspaceId,
        membership,
        ownerKey,
        memberKey,
        code: link.body.code as string,
      };
    }

    /**
     * Opens a stream for each of `ending` (on `holder`) and one for `staying`, makes the change
     * through this process, and checks that exactly the `ending` ones end within a second.
     */
    async function expectChangeEnds(
      ending: Credential[],
      staying: { credential: Credential; code: string },
      change: () => Promise<{ status: number }>,
      holder = t.url,
    ): Promise<void> {
      const streams = await Promise.all(ending.map((credential) => stream(holder, credential)));
      const bystander = await stream(t.url, staying.credential);
      expect([...streams, bystander].every((s) => s.status === 200)).toBe(true);
      expect((await change()).status).toBe(204);
      await expectEnded(streams);
      await expectDelivers(bystander, t.url, staying.code);
    }

    describe('end within a second of losing access', () => {
      it('when their API key is revoked', async () => {
        const { owner, ownerKey, memberKey, code } = await team();
        await expectChangeEnds(
          [{ key: memberKey.key }],
          { credential: { key: ownerKey.key }, code },
          () => owner.session.request('DELETE', `/api/v1/api-keys/${memberKey.id}`),
        );
        expect((await openStream(t.url, { key: memberKey.key })).status).toBe(401);
      });

      it('when the member is removed from the workspace', async () => {
        const { owner, member, membership, ownerKey, memberKey, code } = await team('viewer');
        await expectChangeEnds(
          [{ cookie: member.cookie }, { key: memberKey.key }],
          { credential: { key: ownerKey.key }, code },
          () => owner.session.request('DELETE', membership),
        );
      });

      it('when the member’s role changes (any change: the client reconnects under the new role)', async () => {
        const { owner, member, membership, ownerKey, memberKey, code } = await team('member');
        await expectChangeEnds(
          [{ cookie: member.cookie }, { key: memberKey.key }],
          { credential: { key: ownerKey.key }, code },
          () => owner.session.request('PATCH', membership, { role: 'viewer' }),
        );
        // A viewer may still watch: a new stream opens under the new role.
        expect((await stream(t.url, { cookie: member.cookie })).status).toBe(200);
      });

      it('when the session logs out', async () => {
        const { owner, ownerKey, code } = await team();
        await expectChangeEnds(
          [{ cookie: owner.cookie }],
          { credential: { key: ownerKey.key }, code },
          () => caller(t.url, { cookie: owner.cookie }).request('POST', '/api/v1/auth/logout'),
        );
      });

      it('when the workspace is deleted', async () => {
        const { owner, member, workspaceId, ownerKey, memberKey } = await team();
        const elsewhere = await signUp(t.url);
        const link = await createLink(elsewhere, { url: 'https://example.com/elsewhere' });
        await expectChangeEnds(
          [
            { cookie: owner.cookie },
            { cookie: member.cookie },
            { key: ownerKey.key },
            { key: memberKey.key },
          ],
          { credential: { key: elsewhere.key }, code: link.code },
          () => owner.session.request('DELETE', `/api/v1/workspaces/${workspaceId}`),
        );
      });

      it('on another server than the one that made the change', async () => {
        const { owner, member, membership, ownerKey, memberKey, code } = await team();
        await expectChangeEnds(
          [{ key: memberKey.key }, { cookie: member.cookie }],
          { credential: { key: ownerKey.key }, code },
          () => owner.session.request('DELETE', membership),
          other.url,
        );
      });
    });

    describe('caps', () => {
      const expectRefused = (s: Stream, limit: number) => {
        expect(s.status).toBe(429);
        expect(s.problem).toMatchObject({
          type: 'https://qrlink.dev/problems/too-many-streams',
          code: 'too_many_streams',
          status: 429,
          limit,
        });
      };

      it('5 open streams per API key or session, counted on every server; closing one frees its place', async () => {
        const { owner, ownerKey } = await team();
        const first = await Promise.all([
          stream(t.url, { key: ownerKey.key }),
          stream(t.url, { key: ownerKey.key }),
          stream(t.url, { key: ownerKey.key }),
          stream(other.url, { key: ownerKey.key }),
          stream(other.url, { key: ownerKey.key }),
        ]);
        expect(first.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
        expectRefused(await stream(t.url, { key: ownerKey.key }), 5);
        expectRefused(await stream(other.url, { key: ownerKey.key }), 5);
        // The session of the key's creator is another credential.
        expect((await stream(t.url, { cookie: owner.cookie })).status).toBe(200);

        (first[3] as Stream).close();
        const reopened = await until(
          () => stream(t.url, { key: ownerKey.key }),
          (s) => s.status === 200,
          2000,
        );
        expect(reopened.ok, `still refused after ${reopened.ms} ms`).toBe(true);
        expectRefused(await stream(other.url, { key: ownerKey.key }), 5);
      });

      it('20 open streams per workspace', async () => {
        const { owner, workspaceId } = await team();
        const keys: FixtureKey[] = [];
        for (let i = 0; i < 5; i++) keys.push(await makeKey(t, workspaceId, owner));
        const streams = await Promise.all(
          keys
            .slice(0, 4)
            .flatMap((key, i) =>
              Array.from({ length: 5 }, () => stream(i % 2 ? other.url : t.url, { key: key.key })),
            ),
        );
        expect(streams.filter((s) => s.status === 200)).toHaveLength(20);
        const fifth = keys[4] as FixtureKey;
        expectRefused(await stream(t.url, { key: fifth.key }), 20);
        expectRefused(await stream(other.url, { key: fifth.key }), 20);

        (streams[0] as Stream).close();
        const reopened = await until(
          () => stream(other.url, { key: fifth.key }),
          (s) => s.status === 200,
          2000,
        );
        expect(reopened.ok, `still refused after ${reopened.ms} ms`).toBe(true);
      });
    });
  });
}

describe('shutdown with open live streams', () => {
  it('ends them at once: close() does not wait out the grace period', async () => {
    const t = await startTestApp({
      env: { QRLINK_SIGNUP: 'open' },
      overrides: { writer: { intervalMs: 20 } },
    });
    const user = await signUp(t.url);
    const link = await createLink(user, { url: 'https://example.com/shutdown' });
    const streams = await Promise.all([
      openStream(t.url, { key: user.key }),
      openStream(t.url, { cookie: user.cookie }),
    ]);
    expect(streams.map((s) => s.status)).toEqual([200, 200]);
    // A running server: its writer thread is up and scans reach the streams.
    for (const s of streams) await expectDelivers(s, t.url, link.code);
    const started = Date.now();
    await t.close();
    const took = Date.now() - started;
    expect(took, `close() took ${took} ms`).toBeLessThan(3000);
    await expectEnded(streams);
  });
});
