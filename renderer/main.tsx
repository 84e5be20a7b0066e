import { createRoot } from 'react-dom/client';
import { App } from './views/App.tsx';
import { connectToTown } from './api/town-client.ts';

const root = createRoot(document.getElementById('root')!);
connectToTown().then(
  (client) => root.render(<App client={client} />),
  (err: Error) => root.render(<p className="error">Cannot reach the town: {err.message}</p>),
);
