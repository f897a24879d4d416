// The account the pages act on (the account switcher): one of the user's memberships, the personal
// account by default. The choice is a UI preference, the one thing kept in localStorage.
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useMe } from './session-hooks';

const PREFERENCE = 'tollgate.console.account';

interface AccountChoice {
  accountId: string | null;
  role: string | null;
  choose(accountId: string): void;
}

const AccountContext = createContext<AccountChoice>({ accountId: null, role: null, choose: () => undefined });

export function AccountProvider({ children }: { children: ReactNode }) {
  const me = useMe();
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem(PREFERENCE));
  const memberships = me.data?.memberships ?? [];
  const current = memberships.find((m) => m.account_id === chosen) ?? memberships.find((m) => m.kind === 'personal') ?? memberships[0];
  const value: AccountChoice = {
    accountId: current?.account_id ?? null,
    role: current?.role ?? null,
    choose(accountId) {
      localStorage.setItem(PREFERENCE, accountId);
      setChosen(accountId);
    },
  };
  return <AccountContext.Provider value={value}>{children}</AccountContext.Provider>;
}

export function useAccount(): AccountChoice {
  return useContext(AccountContext);
}
