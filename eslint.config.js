// Lint: typescript-eslint's recommended rules, plus the process boundaries of docs/architecture.md.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noImport = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['main/**', 'preload/**', 'renderer/**'],
    rules: {
      // Typed events: an emitter names its events and their payloads, so a listener with the wrong
      // payload does not compile (EventEmitter<{ name: [payload] }>).
      'no-restricted-syntax': ['error',
        { selector: "ClassDeclaration[superClass.name='EventEmitter']:not([superTypeArguments])", message: 'extend EventEmitter<Events> with a typed event map' },
        { selector: "ClassExpression[superClass.name='EventEmitter']:not([superTypeArguments])", message: 'extend EventEmitter<Events> with a typed event map' },
        { selector: "NewExpression[callee.name='EventEmitter']:not([typeArguments])", message: 'new EventEmitter<Events>() with a typed event map' },
      ],
    },
  },
  {
    // The renderer runs in a sandboxed page: contract types come through preload/, never from main/.
    files: ['renderer/**'],
    rules: noImport(['**/main/**', 'electron', 'node:*'], 'renderer/ may import only renderer/ and preload/ (contract types), never main/, electron or Node.'),
  },
  {
    // The contract is shared by every process: no Node, no Electron, no main/.
    files: ['preload/**'],
    ignores: ['preload/bridge.ts'],
    rules: noImport(['**/main/**', '**/renderer/**', 'electron', 'node:*'], 'preload/ holds the shared contract: it must not import main/, renderer/, Node or Electron.'),
  },
  {
    // The Town runs headless under plain Node: only main/electron/ may touch Electron.
    files: ['main/**'],
    ignores: ['main/electron/**'],
    rules: noImport(['electron', '**/renderer/**'], 'main/ outside main/electron/ is the Electron-free Town: no electron, no renderer/.'),
  },
);
