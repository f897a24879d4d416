// The team: create a team account, and for the chosen account its members (roles, removal),
// invitations (invite by email, withdraw), service tokens and webhooks.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useAccount } from '../components/account-context';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Button, Empty, Field, Loading, Problem, when } from '../components/ui';
import { ServiceTokensSection } from './service-tokens-section';
import { WebhooksSection } from './webhooks-section';

type Role = 'owner' | 'admin' | 'member';

function NewTeam() {
  const queryClient = useQueryClient();
  const { choose } = useAccount();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/accounts', { body: { name: name.trim() } })),
    onSuccess: async (account) => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['me'] });
      choose(account.id);
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <Form onSubmit={submit} className="card stack">
      <h2>New team</h2>
      <div className="row">
        <Field label="Team name" name="team_name" value={name} onChange={setName} isRequired />
        <Button type="submit" isDisabled={create.isPending}>
          Create team
        </Button>
      </div>
      <Problem error={create.error} />
    </Form>
  );
}

function Members({ accountId }: { accountId: string }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const path = { params: { path: { id: accountId } } };
  const members = useQuery({ queryKey: ['members', accountId], queryFn: async () => unwrap(await api.GET('/api/v1/accounts/{id}/members', path)) });
  const invitations = useQuery({ queryKey: ['invitations', accountId], queryFn: async () => unwrap(await api.GET('/api/v1/accounts/{id}/invitations', path)) });
  const changed = () => void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[1] === accountId });
  const invite = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/accounts/{id}/members', { ...path, body: { email: email.trim(), role } })),
    onSuccess: () => {
      setEmail('');
      changed();
    },
  });
  const withdraw = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/accounts/{id}/invitations/{invitation_id}', { params: { path: { id: accountId, invitation_id: id } } })),
    onSuccess: changed,
  });
  const remove = useMutation({
    mutationFn: async (userId: string) => unwrap(await api.DELETE('/api/v1/accounts/{id}/members/{user_id}', { params: { path: { id: accountId, user_id: userId } } })),
    onSuccess: changed,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    invite.mutate();
  }
  const pending = invitations.data?.invitations ?? [];
  return (
    <section className="card stack" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {members.isPending ? <Loading what="members" /> : null}
      <Problem error={members.error ?? remove.error} />
      <ul className="plain-list">
        {(members.data?.members ?? []).map((m) => (
          <li key={m.user_id} className="row">
            <span>
              {m.email} <span className="muted">({m.role})</span>
            </span>
            {m.role !== 'owner' ? (
              <ConfirmDialog trigger="Remove" triggerLabel={`Remove ${m.email}`} title={`Remove ${m.email}?`} confirm="Remove member" onConfirm={() => remove.mutate(m.user_id)}>
                <p>They lose access to this account at once.</p>
              </ConfirmDialog>
            ) : null}
          </li>
        ))}
      </ul>
      <Form onSubmit={submit} className="row">
        <Field label="Invite by email" name="invite_email" type="email" value={email} onChange={setEmail} isRequired />
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            <option value="member">member</option>
            <option value="admin">admin</option>
            <option value="owner">owner</option>
          </select>
        </div>
        <Button type="submit" isDisabled={invite.isPending}>
          Invite
        </Button>
      </Form>
      <Problem error={invite.error ?? withdraw.error} />
      <h3>Pending invitations</h3>
      {invitations.isSuccess && pending.length === 0 ? <Empty>None.</Empty> : null}
      <ul className="plain-list">
        {pending.map((i) => (
          <li key={i.id} className="row">
            <span>
              {i.email} <span className="muted">({i.role}, until {when(i.expires_at)})</span>
            </span>
            <Button onPress={() => withdraw.mutate(i.id)} aria-label={`Withdraw the invitation of ${i.email}`}>
              Withdraw
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function TeamPage() {
  const { accountId, role } = useAccount();
  return (
    <>
      <h1>Team</h1>
      <NewTeam />
      {accountId && (role === 'owner' || role === 'admin') ? (
        <>
          <Members accountId={accountId} />
          <ServiceTokensSection accountId={accountId} />
          <WebhooksSection accountId={accountId} />
        </>
      ) : (
        <Empty>Only the account's owners and admins manage its members and tokens.</Empty>
      )}
    </>
  );
}
