// The runtimes shipped with the app. Facts about each CLI (flags, resume, usage files, screens)
// are from their public docs; the screen patterns are deliberately loose and are the SECOND
// source of status: hooks, where a CLI has them, come first.

import type { RuntimeDefinitionInput } from './runtime-definition.ts';

/** Common "the CLI cannot reach its service" screens: waiting for a human, with the reason. */
const AUTH_FAILURES = [
  'Invalid API key',
  'API key (?:not found|not set|is invalid|is missing)',
  'Please (?:log ?in|sign ?in|run /login|authenticate)',
  'Select login method',
  'Not logged in',
  'Unable to connect to (?:the )?(?:API|Anthropic|OpenAI|Google)',
];

export const BUILTIN_RUNTIMES: RuntimeDefinitionInput[] = [
  {
    name: 'claude',
    label: 'Claude Code',
    command: 'claude',
    args: ['--model', '{model}', '{permissionArgs}', '{prompt}'],
    permissionArgs: { ask: [], 'accept-edits': ['--permission-mode', 'acceptEdits'], bypass: ['--dangerously-skip-permissions'] },
    resumeArgs: ['--resume', '{resumeId}'],
    firstInstructions: 'argument',
    npmPackage: '@anthropic-ai/claude-code',
    // .claude/settings.local.json in the worktree: its hooks call `gt agent-hook claude-code`.
    hooks: 'claude-code',
    usage: '~/.claude/projects/*/*.jsonl',
    patterns: {
      waiting: ['Do you want to (?:proceed|make this edit|create)', '❯ 1\\. Yes', 'Waiting for (?:your )?(?:input|permission)'],
      working: ['esc to interrupt'],
      idle: ['^\\s*[>❯]\\s*$', '\\? for shortcuts'],
      ready: ['Welcome to Claude Code', '\\? for shortcuts'],
      failed: AUTH_FAILURES,
    },
  },
  {
    name: 'codex',
    label: 'OpenAI Codex CLI',
    command: 'codex',
    args: ['--model', '{model}', '{permissionArgs}', '{prompt}'],
    // codex 0.169.0 accepts only on-request|never for --ask-for-approval and has no --full-auto
    // any more ('untrusted' made it exit 2 before its first screen).
    permissionArgs: {
      ask: ['--ask-for-approval', 'on-request'],
      'accept-edits': ['--sandbox', 'workspace-write', '--ask-for-approval', 'on-request'],
      bypass: ['--dangerously-bypass-approvals-and-sandbox'],
    },
    resumeArgs: ['resume', '{resumeId}'],
    firstInstructions: 'argument',
    npmPackage: '@openai/codex',
    // `-c notify=[…]`: codex runs `gt agent-hook codex-notify '<json>'` after every turn.
    hooks: 'codex-notify',
    usage: '~/.codex/sessions/**/*.jsonl',
    patterns: {
      waiting: ['Allow (?:command|Codex)', 'Would you like to', '\\(y/n\\)', 'Sign in with ChatGPT'],
      working: ['esc to interrupt', 'Working \\('],
      idle: ['^\\s*[›>]\\s*$', 'send\\s+q or ctrl\\+c to exit'],
      ready: ['OpenAI Codex', 'To get started'],
      failed: AUTH_FAILURES,
    },
  },
  {
    name: 'gemini',
    label: 'Gemini CLI',
    command: 'gemini',
    args: ['--model', '{model}', '{permissionArgs}', '--prompt-interactive', '{prompt}'],
    permissionArgs: { ask: [], 'accept-edits': ['--approval-mode', 'auto_edit'], bypass: ['--yolo'] },
    resumeArgs: ['--resume', '{resumeId}'],
    firstInstructions: 'argument',
    npmPackage: '@google/gemini-cli',
    // .gemini/settings.json in the worktree: its hooks call `gt agent-hook gemini-cli`.
    hooks: 'gemini-cli',
    usage: '~/.gemini/tmp/*/chats/*.json',
    patterns: {
      // The folder trust dialog is its first screen in a fresh worktree (seen on gemini-cli 0.61.0).
      waiting: ['Do you trust the files in this folder\\?', 'Waiting for user confirmation', 'Allow execution', 'Apply this change\\?', 'Login with Google', 'Get started'],
      working: ['esc to cancel'],
      idle: ['Type your message', '^\\s*>\\s*$'],
      ready: ['Type your message', 'Tips for getting started'],
      failed: AUTH_FAILURES,
    },
  },
  {
    name: 'copilot',
    label: 'GitHub Copilot CLI',
    command: 'copilot',
    args: ['--model', '{model}', '{permissionArgs}', '--interactive', '{prompt}'],
    permissionArgs: { ask: [], 'accept-edits': ['--allow-tool', 'write'], bypass: ['--allow-all-tools'] },
    resumeArgs: ['--resume', '{resumeId}'],
    firstInstructions: 'argument',
    npmPackage: '@github/copilot',
    usage: '~/.copilot/session-state/*',
    patterns: {
      // "Confirm folder trust … Do you trust the files in this folder?" is its first screen in a
      // fresh worktree (seen on @github/copilot 1.0.102).
      waiting: ['Confirm folder trust', 'Do you trust the files in this folder\\?', 'Do you want to', 'Allow Copilot', 'Confirm', '/login'],
      working: ['Esc to cancel', 'Thinking'],
      idle: ['^\\s*>\\s*$', 'Enter @ to mention files'],
      ready: ['Welcome to GitHub Copilot', 'Enter @ to mention files'],
      failed: AUTH_FAILURES,
    },
  },
  {
    name: 'opencode',
    label: 'OpenCode',
    command: 'opencode',
    args: ['--model', '{model}', '--prompt', '{prompt}'],
    resumeArgs: ['--session', '{resumeId}'],
    firstInstructions: 'argument',
    npmPackage: 'opencode-ai',
    usage: '~/.local/share/opencode/storage/message/**/*.json',
    patterns: {
      waiting: ['Permission required', 'Allow (?:once|always)'],
      working: ['esc interrupt', 'Working'],
      idle: ['ctrl\\+p commands', 'enter send'],
      ready: ['ctrl\\+p commands'],
      // With no service it submits the prompt, then retries under a spinner: "Cannot connect to
      // API: Unable to connect. … [retrying attempt #3]" (seen on opencode-ai 1.18.33).
      failed: ['Cannot connect to API', ...AUTH_FAILURES],
    },
  },
  {
    name: 'shell',
    label: 'Shell',
    kind: 'shell',
    command: process.platform === 'win32' ? 'cmd.exe' : process.env.SHELL || '/bin/bash',
    args: [],
    firstInstructions: 'type',
    patterns: { idle: ['[$#%>]\\s*$'], ready: ['[$#%>]\\s*$'] },
  },
  {
    name: 'script',
    label: 'Scripted runtime (deterministic, no LLM)',
    kind: 'script',
    // Resolved by the registry to `node <repo>/dist/cli/script-main.js` (the prebuilt bundle) when
    // fresh, else `node --import tsx <repo>/main/agents/script-runtime/script-main.ts` (script-entry.ts).
    command: 'node',
    args: [],
    firstInstructions: 'self',
    // It reads its hook again after `gt done`: the next bead gt done hooks runs in the same session.
    nextBeadInSession: true,
    patterns: {
      waiting: ['\\[y/n\\]\\s*$'],
      idle: ['^gt-script: (?:done|finished)'],
      ready: ['^gt-script: (?:scripted runtime|starting)'],
    },
  },
];
