// Usage and spend for the chosen account: credits per day and per hour, per key and per model,
// the account's budget (spent, remaining, reset; owners and admins edit it), and the credit balance
// with its ledger.
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useAccount } from '../components/account-context';
import { Chart } from '../components/chart';
import { AccountBudgetSection } from './account-budget-section';
import { Empty, Loading, Problem, TableHead, when } from '../components/ui';

function totalsBy<T>(rows: T[], keyOf: (row: T) => string, valueOf: (row: T) => number): { labels: string[]; values: number[] } {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(keyOf(row), (sums.get(keyOf(row)) ?? 0) + valueOf(row));
  const sorted = [...sums.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { labels: sorted.map(([label]) => label), values: sorted.map(([, value]) => value) };
}

/** Hourly rows, from servers whose /api/v1/usage knows `group_by=hour`; none otherwise. */
function useHourly(accountId: string | null) {
  return useQuery({
    queryKey: ['usage-hourly', accountId],
    enabled: accountId !== null,
    queryFn: async () => {
      const query = new URLSearchParams({ group_by: 'hour', account_id: accountId! });
      const result = await api.GET('/api/v1/usage', { params: { query: Object.fromEntries(query) as never } });
      const rows = (result.data?.data ?? []) as Array<{ hour?: string; credits: number }>;
      return rows.filter((row) => typeof row.hour === 'string') as Array<{ hour: string; credits: number }>;
    },
  });
}

function Balance({ accountId }: { accountId: string }) {
  const balance = useQuery({
    queryKey: ['balance', accountId],
    queryFn: async () => unwrap(await api.GET('/api/v1/accounts/{id}/balance', { params: { path: { id: accountId }, query: { limit: 200 } } })),
  });
  if (balance.isPending) return <Loading what="the balance" />;
  if (balance.error) return <Problem error={balance.error} />;
  const ledger = balance.data.ledger;
  const history = [...ledger].reverse();
  return (
    <section className="card" aria-labelledby="balance-title">
      <h2 id="balance-title">Credits</h2>
      <p className="big" data-testid="balance">
        {balance.data.balance} credits <span className="muted">({balance.data.available} available)</span>
      </p>
      {history.length > 0 ? (
        <Chart
          kind="line"
          labels={history.map((e) => new Date(e.created_at).toLocaleString())}
          values={history.map((e) => e.balance_after)}
          description={`Credit balance over time, now ${balance.data.balance} credits`}
          testId="balance-chart"
        />
      ) : (
        <Empty>No credit movements yet.</Empty>
      )}
      {ledger.length > 0 ? (
        <table className="table">
          <caption>Ledger, newest first</caption>
          <TableHead columns={['When', 'Kind', 'Amount', 'Balance after', 'Reason']} />
          <tbody>
            {ledger.map((entry) => (
              <tr key={entry.id}>
                <td data-label="When">{when(entry.created_at)}</td>
                <td data-label="Kind">{entry.kind}</td>
                <td data-label="Amount">{entry.amount}</td>
                <td data-label="Balance after">{entry.balance_after}</td>
                <td data-label="Reason">{entry.reason ?? entry.request_id ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function UsagePage() {
  const { accountId, role } = useAccount();
  const usage = useQuery({
    queryKey: ['usage', accountId],
    enabled: accountId !== null,
    queryFn: async () => unwrap(await api.GET('/api/v1/usage', { params: { query: { account_id: accountId! } } })),
  });
  const hourly = useHourly(accountId);
  const rows = usage.data?.data ?? [];
  const perDay = totalsBy(rows, (r) => r.day ?? '', (r) => r.credits);
  const perKey = totalsBy(rows, (r) => r.key_id ?? '(no key)', (r) => r.credits);
  const perModel = totalsBy(rows, (r) => r.model ?? '(no model)', (r) => r.credits);
  const perHour = totalsBy(hourly.data ?? [], (r) => r.hour.slice(0, 13).replace('T', ' '), (r) => r.credits);
  return (
    <>
      <h1>Usage and spend</h1>
      {usage.isPending ? <Loading what="usage" /> : null}
      <Problem error={usage.error} />
      {usage.data ? (
        <section className="card" aria-labelledby="usage-title">
          <h2 id="usage-title">
            Last 30 days: {usage.data.totals.requests} requests, {usage.data.totals.input_tokens + usage.data.totals.output_tokens} tokens, {usage.data.totals.credits} credits
          </h2>
          {rows.length === 0 ? (
            <Empty>No requests in this period. Try the playground.</Empty>
          ) : (
            <div className="charts">
              <figure>
                <figcaption>Credits per day</figcaption>
                <Chart kind="bar" labels={perDay.labels} values={perDay.values} description={`Credits per day: ${perDay.labels.map((l, i) => `${l} ${perDay.values[i]}`).join(', ')}`} />
              </figure>
              {perHour.labels.length > 0 ? (
                <figure>
                  <figcaption>Credits per hour</figcaption>
                  <Chart kind="bar" labels={perHour.labels} values={perHour.values} description="Credits per hour" />
                </figure>
              ) : null}
              <figure>
                <figcaption>Credits per key</figcaption>
                <Chart kind="bar" labels={perKey.labels} values={perKey.values} description={`Credits per key: ${perKey.labels.map((l, i) => `${l} ${perKey.values[i]}`).join(', ')}`} />
              </figure>
              <figure>
                <figcaption>Credits per model</figcaption>
                <Chart kind="bar" labels={perModel.labels} values={perModel.values} description={`Credits per model: ${perModel.labels.map((l, i) => `${l} ${perModel.values[i]}`).join(', ')}`} />
              </figure>
            </div>
          )}
        </section>
      ) : null}
      {accountId ? <AccountBudgetSection key={accountId} accountId={accountId} canManage={role === 'owner' || role === 'admin'} /> : null}
      {accountId ? <Balance accountId={accountId} /> : null}
    </>
  );
}
