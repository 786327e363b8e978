import { useState } from 'react';
import { useMe } from '../../api/auth';
import { formErrors } from '../../api/problem';
import {
  ROLES,
  useChangeRole,
  useInvitations,
  useInvite,
  useMembers,
  useRemoveMember,
  useWithdrawInvitation,
  type Member,
  type Role,
} from '../../api/workspaces';
import { SelectField, TextField } from '../../components/fields';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/states';
import { UsageBanner } from '../../components/UsageBanner';
import { Dialog } from '../../components/widgets';
import { formatDate } from '../../lib/format';
import { PlanLimitHint } from '../links/LinkForm';

const ROLE_HELP: Record<Role, string> = {
  owner: 'Everything, including billing and deleting the workspace',
  admin: 'Members, domains, API keys and all links',
  member: 'Creates and edits links, sees analytics',
  viewer: 'Sees links and analytics',
};

function InviteForm({ workspaceId }: { workspaceId: string }) {
  const invite = useInvite(workspaceId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const errors = formErrors(invite.error, ['email', 'role']);
  return (
    <section className="card stack" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail('') });
        }}
      >
        <FormError message={errors.summary} />
        <PlanLimitHint error={invite.error} />
        {invite.isSuccess && (
          <div className="alert alert-success" role="status">
            Invitation sent to {invite.data.email}.
          </div>
        )}
        <div className="form-row">
          <TextField
            label="E-mail"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.fields.email}
          />
          <SelectField
            label="Role"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            hint={ROLE_HELP[role]}
            error={errors.fields.role}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </SelectField>
        </div>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
            Send invitation
          </button>
        </div>
      </form>
    </section>
  );
}

function MemberRow({
  member,
  workspaceId,
  canManage,
  isSelf,
}: {
  member: Member;
  workspaceId: string;
  canManage: boolean;
  isSelf: boolean;
}) {
  const changeRole = useChangeRole(workspaceId);
  const remove = useRemoveMember(workspaceId);
  const [confirming, setConfirming] = useState(false);
  return (
    <tr>
      <td>
        <div className="link-cell">
          <strong className="truncate">{member.name || member.email}</strong>
          <span className="muted small truncate">{member.email}</span>
        </div>
      </td>
      <td>
        {canManage && !isSelf ? (
          <select
            aria-label={`Role of ${member.email}`}
            value={member.role}
            disabled={changeRole.isPending}
            onChange={(e) => changeRole.mutate({ userId: member.id, role: e.target.value as Role })}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        ) : (
          <span className="badge">{member.role}</span>
        )}
        {changeRole.error && <span className="field-error">{changeRole.error.message}</span>}
      </td>
      <td className="small">{formatDate(member.joinedAt)}</td>
      <td>
        {(canManage || isSelf) && (
          <button
            type="button"
            className="btn btn-small btn-danger"
            onClick={() => setConfirming(true)}
          >
            {isSelf ? 'Leave' : 'Remove'}
          </button>
        )}
        <Dialog
          open={confirming}
          onClose={() => setConfirming(false)}
          title={isSelf ? 'Leave this workspace?' : `Remove ${member.email}?`}
        >
          <p>
            {isSelf
              ? 'You lose access to its links and analytics.'
              : 'They lose access at once; their links stay in the workspace.'}
          </p>
          <FormError message={remove.error?.message} />
          <div className="row row-end">
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="btn btn-danger-solid"
              disabled={remove.isPending}
              onClick={() =>
                remove.mutate(member.id, {
                  onSuccess: () => (isSelf ? window.location.assign('/') : setConfirming(false)),
                })
              }
            >
              {isSelf ? 'Leave' : 'Remove'}
            </button>
          </div>
        </Dialog>
      </td>
    </tr>
  );
}

function Invitations({ workspaceId }: { workspaceId: string }) {
  const invitations = useInvitations(workspaceId);
  const withdraw = useWithdrawInvitation(workspaceId);
  return (
    <section className="card stack" aria-labelledby="pending-title">
      <h2 id="pending-title">Pending invitations</h2>
      {invitations.isPending ? (
        <Loading />
      ) : invitations.isError ? (
        <ErrorState error={invitations.error} onRetry={() => void invitations.refetch()} />
      ) : invitations.data.items.length === 0 ? (
        <p className="muted small">No invitations waiting.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>E-mail</th>
                <th>Role</th>
                <th>Expires</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invitations.data.items.map((inv) => (
                <tr key={inv.id}>
                  <td className="break">{inv.email}</td>
                  <td>
                    <span className="badge">{inv.role}</span>
                  </td>
                  <td className="small">{formatDate(inv.expiresAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={withdraw.isPending}
                      onClick={() => withdraw.mutate(inv.id)}
                    >
                      Withdraw
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export default function TeamPage() {
  const me = useMe();
  const workspace = me.data?.workspace;
  const members = useMembers(workspace?.id ?? '');
  if (!workspace || !me.data)
    return (
      <EmptyState title="No workspace">Create a workspace in Settings to invite people.</EmptyState>
    );
  const canManage = workspace.role === 'owner' || workspace.role === 'admin';
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Team</h1>
          <p>Who can use {workspace.name}, and what they may do.</p>
        </div>
      </div>
      <UsageBanner meters={['members']} />
      <section className="card stack" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        {members.isPending ? (
          <Loading />
        ) : members.isError ? (
          <ErrorState error={members.error} onRetry={() => void members.refetch()} />
        ) : (
          <>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Member</th>
                    <th>Role</th>
                    <th>Joined</th>
                    <th>
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {members.data.pages
                    .flatMap((p) => p.items)
                    .map((m) => (
                      <MemberRow
                        key={m.id}
                        member={m}
                        workspaceId={workspace.id}
                        canManage={canManage}
                        isSelf={m.id === me.data?.user.id}
                      />
                    ))}
                </tbody>
              </table>
            </div>
            {members.hasNextPage && (
              <button
                type="button"
                className="btn"
                disabled={members.isFetchingNextPage}
                onClick={() => void members.fetchNextPage()}
              >
                Show more
              </button>
            )}
          </>
        )}
      </section>
      {canManage && (
        <div className="grid grid-2">
          <InviteForm workspaceId={workspace.id} />
          <Invitations workspaceId={workspace.id} />
        </div>
      )}
    </>
  );
}
