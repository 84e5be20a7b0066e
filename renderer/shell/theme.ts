// Dark and light themes following the OS (prefers-color-scheme). The page's colours are CSS
// variables (styles.css); xterm gets a matching palette, updated when the OS switches.
import type { ITheme } from '@xterm/xterm';

const DARK: ITheme = { background: '#15171c', foreground: '#d7dae0', cursor: '#e0a340', selectionBackground: '#3a4150' };
const LIGHT: ITheme = { background: '#fbfbfc', foreground: '#1d2027', cursor: '#b07010', selectionBackground: '#cfd6e4' };

export function followTheme(apply: (theme: ITheme) => void): () => void {
  const query = window.matchMedia('(prefers-color-scheme: light)');
  const set = (): void => {
    document.documentElement.dataset.theme = query.matches ? 'light' : 'dark';
    apply(query.matches ? LIGHT : DARK);
  };
  set();
  query.addEventListener('change', set);
  return () => query.removeEventListener('change', set);
}
