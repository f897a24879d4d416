// The list of an account's credentials (proxy keys, service tokens; personal keys add their own
// columns): name, prefix, when made and last used, state, and a revoke that asks first.
import { ConfirmDialog } from './confirm-dialog';
import { TableHead, when } from './ui';

const COLUMNS = ['Name', 'Prefix', 'Created', 'Last used', 'State'];

/** The table's head: the common columns, any the page adds, then Actions. */
export function CredentialHead({ extra = [] }: { extra?: string[] }) {
  return <TableHead columns={[...COLUMNS, ...extra, 'Actions']} />;
}

export interface Credential {
  id: string;
  name: string | null;
  prefix: string;
  created_at: string;
  last_used_at?: string | null;
  active: boolean;
}

interface Revoke {
  /** What the confirm button says ("Revoke token"). */
  confirm: string;
  /** What revoking breaks, shown in the dialog. */
  warning: string;
  onRevoke(id: string): void;
}

export function CredentialTable({ items, revoke }: { items: Credential[]; revoke: Revoke }) {
  return (
    <table className="table">
      <CredentialHead />
      <tbody>
        {items.map((item) => {
          // A credential without a name is called by its prefix in the revoke dialog.
          const called = item.name ?? item.prefix;
          return (
            <tr key={item.id}>
              <td data-label="Name">{item.name}</td>
              <td data-label="Prefix">
                <code>{item.prefix}</code>
              </td>
              <td data-label="Created">{when(item.created_at)}</td>
              <td data-label="Last used">{when(item.last_used_at)}</td>
              <td data-label="State">{item.active ? 'active' : 'revoked'}</td>
              <td data-label="Actions">
                {item.active ? (
                  <ConfirmDialog trigger="Revoke" triggerLabel={`Revoke ${called}`} title={`Revoke ${called}?`} confirm={revoke.confirm} onConfirm={() => revoke.onRevoke(item.id)}>
                    <p>{revoke.warning}</p>
                  </ConfirmDialog>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
