// The console's entry: the query cache, the router (data mode, under /console) and the session
// restored from the refresh cookie before the first page renders.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { ApiProblem } from './api/problem';
import { refreshSession } from './api/session';
import { routes } from './routes';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    // A refusal (4xx) will not change by asking again.
    queries: { retry: (count, error) => !(error instanceof ApiProblem && error.status < 500) && count < 2, refetchOnWindowFocus: false },
  },
});

const router = createBrowserRouter(routes, { basename: '/console' });

void refreshSession().finally(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
});
