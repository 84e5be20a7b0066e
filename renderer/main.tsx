// Start-up: connect, create the one store and the one terminal registry, then render the shell.
import { createRoot } from 'react-dom/client';
import { connectToTown } from './api/town-client.ts';
import { createTownStore } from './state/town-store.ts';
import { TerminalRegistry } from './terminals/terminal-registry.ts';
import { ServicesContext, type AppServices } from './app-context.tsx';
import { AppShell } from './shell/AppShell.tsx';
import { startNotifier } from './shell/notifier.ts';
import { followTheme } from './shell/theme.ts';

const root = createRoot(document.getElementById('root')!);
try {
  const connection = connectToTown();
  const { store, actions } = createTownStore(connection);
  const terminals = new TerminalRegistry(connection.client);
  let generation = connection.info().generation;
  connection.onChange((info) => {
    if (info.state === 'connected' && info.generation !== generation) {
      if (generation > 0) terminals.reconnected();
      generation = info.generation;
    }
  });
  followTheme((theme) => terminals.setTheme(theme));
  const services: AppServices = { store, actions, terminals };
  startNotifier(services);
  // For end-to-end tests and benchmarks: read-only views of the store and the registry.
  (window as unknown as { gastownDebug: unknown }).gastownDebug = { store, terminals };
  root.render(
    <ServicesContext.Provider value={services}>
      <AppShell />
    </ServicesContext.Provider>,
  );
} catch (err) {
  root.render(<p className="error">Cannot reach the town: {(err as Error).message}</p>);
}
