// The formulas shipped with the town (as text, so every bundle carries them). A town's own
// `<town>/formulas/NAME.toml` or a rig's `<town>/rigs/<rig>/formulas/NAME.toml` with the same name
// replaces one (rig over town over built in; see formula-store.ts).

export const BUILTIN_FORMULAS: Record<string, string> = {
  'mol-polecat-work': `
formula = "mol-polecat-work"
description = "One polecat works a bead in order: understand, implement, test, self-review, done."
mode = "sequential"
version = 1

[vars.issue]
description = "the bead to work on"
required = true

[[steps]]
id = "understand"
title = "Understand {{issue}}"
description = "Read the bead ({{issue}}: gt hook) and the code it touches. Write down what must change. Then gt done."

[[steps]]
id = "implement"
title = "Implement {{issue}}"
description = "Make the change in your worktree, committing as you go. Then gt done."

[[steps]]
id = "test"
title = "Test {{issue}}"
description = "Run the project's tests and add tests for the change; fix what fails. Then gt done."

[[steps]]
id = "self-review"
title = "Self-review {{issue}}"
description = "Read your whole diff as a reviewer would: naming, errors, edge cases, docs. Fix what you find. Then gt done."

[[steps]]
id = "done"
title = "Submit {{issue}}"
description = "Commit everything and run gt done: your branch goes to the merge queue."
`,
  'code-review': `
formula = "code-review"
description = "A review convoy: reviewer legs in parallel on different polecats, then one synthesis."
mode = "parallel"
version = 1

[vars.target]
description = "what to review: a branch, a bead, a path"
required = true

[[legs]]
id = "correctness"
title = "Review {{target}}: correctness"
description = "Look for bugs, wrong edge cases and broken invariants in {{target}}. Write findings to review/correctness.md, then gt done."

[[legs]]
id = "security"
title = "Review {{target}}: security"
description = "Look for injection, secrets, unsafe input handling in {{target}}. Write findings to review/security.md, then gt done."

[[legs]]
id = "tests"
title = "Review {{target}}: tests"
description = "Judge the tests of {{target}}: what is not covered, what asserts nothing. Write findings to review/tests.md, then gt done."

[synthesis]
title = "Synthesize the review of {{target}}"
description = "Read every leg's findings (review/*.md) and write one prioritised report to review/SUMMARY.md, then gt done."
`,
  release: `
formula = "release"
description = "Cut a release: version, changelog, tag, then a human approves publishing."
mode = "sequential"
version = 1

[vars.version]
description = "the version to release, e.g. 1.4.0"
required = true

[[steps]]
id = "version"
title = "Set version {{version}}"
description = "Bump the version to {{version}} everywhere it is written. Then gt done."

[[steps]]
id = "changelog"
title = "Changelog for {{version}}"
description = "Write the changelog entry for {{version}} from the merged work since the last tag. Then gt done."

[[steps]]
id = "tag"
title = "Tag {{version}}"
description = "Commit and record the tag v{{version}} in the release notes. Then gt done."

[[steps]]
id = "approve"
title = "Approve publishing {{version}}"
description = "A human checks the release and approves it (gt gate approve, or the inbox)."
[steps.gate]
type = "human"
timeout = "24h"

[[steps]]
id = "publish"
title = "Publish {{version}}"
description = "Submit the release branch: gt done."
`,
};
