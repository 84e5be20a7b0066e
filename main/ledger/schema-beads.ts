// Migration 2: the rest of beads v1.0.5's schema, so the real `bd` (server mode) works on the town's
// database. Invariants:
// - After this migration the database has every table, column, default, key and dolt_ignore pattern
//   that bd v1.0.5's own migrations (0001–0049, ignored 0001–0008) leave behind and that its commands
//   read or write, and bd's cursor tables say 49 / 8, so bd runs no migration of its own on it.
// - The town's own choices stay: DATETIME(3) times, no ON UPDATE on updated_at, no FK on events, the
//   town's cursor `gt_schema_migrations` (docs/ledger.md, "Deviations").
// - Every step can be re-run after a crash halfway: CREATE … IF NOT EXISTS, INSERT IGNORE / REPLACE,
//   and ALTERs whose "already there" error is tolerated.
// Facts from reading bd v1.0.5's migrations and a dump of a database `bd init --server` created; no
// text of bd's is copied here.

/** bd v1.0.5's cursor maxima: `schema_migrations` and `ignored_schema_migrations`. */
export const BD_SCHEMA_VERSION = 49;
export const BD_IGNORED_SCHEMA_VERSION = 8;

/** A statement whose failure with `ignore` means "already done" (a column or key that exists). */
export interface TolerantStatement { sql: string; ignore: RegExp }
export type MigrationStatement = string | TolerantStatement;

const EXISTS = /duplicate|already exists|exists/i;
const tolerant = (sql: string): TolerantStatement => ({ sql, ignore: EXISTS });

/** Columns `issues` gains (bd's gate, event-bead, compaction and legacy Gas Town columns). */
const ISSUE_EXTRA_COLUMNS = [
  'compacted_at DATETIME(3) NULL',
  'compacted_at_commit VARCHAR(64) NULL',
  'original_size INT NULL',
  "event_kind VARCHAR(32) DEFAULT ''",
  "actor VARCHAR(255) DEFAULT ''",
  "target VARCHAR(255) DEFAULT ''",
  "payload TEXT DEFAULT ('')",
  "await_type VARCHAR(32) DEFAULT ''",
  "await_id VARCHAR(255) DEFAULT ''",
  'timeout_ns BIGINT DEFAULT 0',
  "waiters TEXT DEFAULT ('')",
  "hook_bead VARCHAR(255) DEFAULT ''",
  "role_bead VARCHAR(255) DEFAULT ''",
  "agent_state VARCHAR(32) DEFAULT ''",
  'last_activity DATETIME(3) NULL',
  "role_type VARCHAR(32) DEFAULT ''",
  "rig VARCHAR(255) DEFAULT ''",
];

/** The `wisps` table: the same columns as `issues` after this migration, with text defaults. */
const WISPS_TABLE = `CREATE TABLE IF NOT EXISTS wisps (
  id VARCHAR(255) NOT NULL PRIMARY KEY,
  content_hash VARCHAR(64) NULL,
  title VARCHAR(500) NOT NULL,
  description LONGTEXT NOT NULL DEFAULT (''),
  design LONGTEXT NOT NULL DEFAULT (''),
  acceptance_criteria LONGTEXT NOT NULL DEFAULT (''),
  notes LONGTEXT NOT NULL DEFAULT (''),
  status VARCHAR(32) NOT NULL DEFAULT 'open',
  priority INT NOT NULL DEFAULT 2,
  issue_type VARCHAR(32) NOT NULL DEFAULT 'task',
  assignee VARCHAR(255) NULL,
  estimated_minutes INT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  created_by VARCHAR(255) NOT NULL DEFAULT '',
  owner VARCHAR(255) NOT NULL DEFAULT '',
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  started_at DATETIME(3) NULL,
  closed_at DATETIME(3) NULL,
  close_reason LONGTEXT NOT NULL DEFAULT (''),
  closed_by_session VARCHAR(255) NOT NULL DEFAULT '',
  due_at DATETIME(3) NULL,
  defer_until DATETIME(3) NULL,
  external_ref VARCHAR(255) NULL,
  source_system VARCHAR(255) NOT NULL DEFAULT '',
  source_repo VARCHAR(512) NOT NULL DEFAULT '',
  spec_id VARCHAR(1024) NULL,
  metadata JSON NOT NULL DEFAULT (JSON_OBJECT()),
  compaction_level INT NOT NULL DEFAULT 0,
  sender VARCHAR(255) NOT NULL DEFAULT '',
  ephemeral TINYINT(1) NOT NULL DEFAULT 0,
  pinned TINYINT(1) NOT NULL DEFAULT 0,
  is_template TINYINT(1) NOT NULL DEFAULT 0,
  no_history TINYINT(1) NOT NULL DEFAULT 0,
  wisp_type VARCHAR(32) NOT NULL DEFAULT '',
  mol_type VARCHAR(32) NOT NULL DEFAULT '',
  work_type VARCHAR(32) NOT NULL DEFAULT '',
  is_blocked TINYINT(1) NOT NULL DEFAULT 0,
  ${ISSUE_EXTRA_COLUMNS.join(',\n  ')},
  KEY idx_wisps_status (status),
  KEY idx_wisps_priority (priority),
  KEY idx_wisps_issue_type (issue_type),
  KEY idx_wisps_assignee (assignee),
  KEY idx_wisps_created_at (created_at),
  KEY idx_wisps_external_ref (external_ref),
  KEY idx_wisps_spec_id (spec_id),
  KEY idx_wisps_is_blocked (is_blocked, status)
)`;

const range = (n: number) => Array.from({ length: n }, (_, i) => `(${i + 1})`).join(', ');

export const BEADS_V105_MIGRATION = {
  version: 2,
  name: 'beads v1.0.5 schema (bd compatibility, wisp tables)',
  tables: [
    'issues', 'dependencies', 'comments', 'events', 'config', 'schema_migrations', 'issue_snapshots', 'compaction_snapshots',
    'routes', 'issue_counter', 'interactions', 'federation_peers', 'custom_statuses', 'custom_types', 'gt_schema_migrations', 'dolt_ignore',
  ],
  statements: [
    // Ignore patterns first, so the ignored tables below never show up in a commit.
    `REPLACE INTO dolt_ignore (pattern, ignored) VALUES ('wisps', 1), ('wisp_%', 1), ('local_metadata', 1), ('repo_mtimes', 1),
      ('ignored_schema_migrations', 1), ('gt_ephemeral%', 1)`,
    // One ALTER (one rewrite of the table, atomic): re-run after it landed, it fails on the first
    // duplicate column, which means done.
    tolerant(`ALTER TABLE issues ${ISSUE_EXTRA_COLUMNS.map((c) => `ADD COLUMN ${c}`).join(', ')}`),
    tolerant('CREATE INDEX idx_issues_spec_id ON issues (spec_id)'),
    tolerant('CREATE INDEX idx_issues_is_blocked ON issues (is_blocked, status)'),
    // bd inserts dependencies, comments and events without an id: the database picks a UUID.
    'ALTER TABLE dependencies MODIFY COLUMN id CHAR(36) NOT NULL DEFAULT (UUID()), MODIFY COLUMN metadata JSON NOT NULL DEFAULT (JSON_OBJECT())',
    'ALTER TABLE comments MODIFY COLUMN id CHAR(36) NOT NULL DEFAULT (UUID())',
    'ALTER TABLE events MODIFY COLUMN id CHAR(36) NOT NULL DEFAULT (UUID())',
    "ALTER TABLE issues MODIFY COLUMN close_reason LONGTEXT NOT NULL DEFAULT (''), MODIFY COLUMN metadata JSON NOT NULL DEFAULT (JSON_OBJECT())",
    tolerant('CREATE UNIQUE INDEX uq_dep_wisp ON dependencies (issue_id, depends_on_wisp_id)'),
    tolerant('CREATE INDEX idx_dep_wisp_target ON dependencies (depends_on_wisp_id)'),
    tolerant('CREATE INDEX idx_dep_thread ON dependencies (thread_id)'),
    tolerant('CREATE INDEX idx_dep_type_external ON dependencies (type, depends_on_external)'),
    tolerant('CREATE INDEX idx_dep_type_wisp ON dependencies (type, depends_on_wisp_id)'),
    tolerant(`ALTER TABLE dependencies ADD CONSTRAINT ck_dep_one_target CHECK (
      (depends_on_issue_id IS NOT NULL) + (depends_on_wisp_id IS NOT NULL) + (depends_on_external IS NOT NULL) = 1)`),
    // bd's committed tables the town does not use itself (bd's commands read some of them).
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY)',
    `CREATE TABLE IF NOT EXISTS issue_snapshots (
      id CHAR(36) NOT NULL DEFAULT (UUID()) PRIMARY KEY, issue_id VARCHAR(255) NOT NULL, snapshot_time DATETIME NOT NULL,
      compaction_level INT NOT NULL, original_size INT NOT NULL, compressed_size INT NOT NULL, original_content TEXT NOT NULL,
      archived_events TEXT NULL, KEY idx_snapshots_issue (issue_id), KEY idx_snapshots_level (compaction_level),
      CONSTRAINT fk_snapshots_issue FOREIGN KEY (issue_id) REFERENCES issues (id) ON DELETE CASCADE ON UPDATE CASCADE)`,
    `CREATE TABLE IF NOT EXISTS compaction_snapshots (
      id CHAR(36) NOT NULL DEFAULT (UUID()) PRIMARY KEY, issue_id VARCHAR(255) NOT NULL, compaction_level INT NOT NULL,
      snapshot_json BLOB NOT NULL, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
      KEY idx_comp_snap_issue (issue_id, compaction_level, created_at),
      CONSTRAINT fk_comp_snap_issue FOREIGN KEY (issue_id) REFERENCES issues (id) ON DELETE CASCADE ON UPDATE CASCADE)`,
    `CREATE TABLE IF NOT EXISTS routes (
      prefix VARCHAR(32) NOT NULL PRIMARY KEY, path VARCHAR(512) NOT NULL,
      created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
    'CREATE TABLE IF NOT EXISTS issue_counter (prefix VARCHAR(255) NOT NULL PRIMARY KEY, last_id INT NOT NULL DEFAULT 0)',
    `CREATE TABLE IF NOT EXISTS interactions (
      id VARCHAR(32) NOT NULL PRIMARY KEY, kind VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL, actor VARCHAR(255) NULL,
      issue_id VARCHAR(255) NULL, model VARCHAR(255) NULL, prompt TEXT NULL, response TEXT NULL, error TEXT NULL,
      tool_name VARCHAR(255) NULL, exit_code INT NULL, parent_id VARCHAR(32) NULL, label VARCHAR(64) NULL, reason TEXT NULL,
      extra JSON NULL, KEY idx_interactions_created_at (created_at), KEY idx_interactions_issue_id (issue_id),
      KEY idx_interactions_kind (kind), KEY idx_interactions_parent_id (parent_id))`,
    `CREATE TABLE IF NOT EXISTS federation_peers (
      name VARCHAR(255) NOT NULL PRIMARY KEY, remote_url VARCHAR(1024) NOT NULL, username VARCHAR(255) NULL,
      password_encrypted BLOB NULL, sovereignty VARCHAR(8) DEFAULT '', last_sync DATETIME NULL,
      created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
      KEY idx_federation_peers_sovereignty (sovereignty))`,
    "CREATE TABLE IF NOT EXISTS custom_statuses (name VARCHAR(64) NOT NULL PRIMARY KEY, category VARCHAR(32) NOT NULL DEFAULT 'unspecified')",
    'CREATE TABLE IF NOT EXISTS custom_types (name VARCHAR(64) NOT NULL PRIMARY KEY)',
    `INSERT IGNORE INTO config (\`key\`, value) VALUES ('compaction_enabled', 'false'), ('compact_tier1_days', '30'),
      ('compact_tier1_dep_levels', '2'), ('compact_tier2_days', '90'), ('compact_tier2_dep_levels', '5'),
      ('compact_tier2_commits', '100'), ('compact_batch_size', '50'), ('compact_parallel_workers', '5'),
      ('auto_compact_enabled', 'false')`,
    // bd's dolt-ignored tables: wisps and their satellites, clone-local state.
    'CREATE TABLE IF NOT EXISTS ignored_schema_migrations (version INT NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)',
    "CREATE TABLE IF NOT EXISTS local_metadata (`key` VARCHAR(255) NOT NULL PRIMARY KEY, value TEXT NOT NULL DEFAULT (''))",
    `CREATE TABLE IF NOT EXISTS repo_mtimes (
      repo_path VARCHAR(512) NOT NULL PRIMARY KEY, jsonl_path VARCHAR(512) NOT NULL, mtime_ns BIGINT NOT NULL,
      last_checked DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, KEY idx_repo_mtimes_checked (last_checked))`,
    WISPS_TABLE,
    `CREATE TABLE IF NOT EXISTS wisp_labels (
      issue_id VARCHAR(255) NOT NULL, label VARCHAR(255) NOT NULL, PRIMARY KEY (issue_id, label), KEY idx_wisp_labels_label (label),
      CONSTRAINT fk_wisp_labels_issue FOREIGN KEY (issue_id) REFERENCES wisps (id) ON DELETE CASCADE ON UPDATE CASCADE)`,
    `CREATE TABLE IF NOT EXISTS wisp_dependencies (
      id CHAR(36) NOT NULL DEFAULT (UUID()) PRIMARY KEY, issue_id VARCHAR(255) NOT NULL,
      depends_on_issue_id VARCHAR(255) NULL, depends_on_wisp_id VARCHAR(255) NULL, depends_on_external VARCHAR(255) NULL,
      type VARCHAR(32) NOT NULL DEFAULT 'blocks', created_at DATETIME(3) NULL DEFAULT CURRENT_TIMESTAMP(3),
      created_by VARCHAR(255) DEFAULT '', metadata JSON DEFAULT (JSON_OBJECT()), thread_id VARCHAR(255) DEFAULT '',
      UNIQUE KEY uk_wisp_dep_issue_target (issue_id, depends_on_issue_id), UNIQUE KEY uk_wisp_dep_wisp_target (issue_id, depends_on_wisp_id),
      UNIQUE KEY uk_wisp_dep_external_target (issue_id, depends_on_external), KEY idx_wisp_dep_type (type),
      KEY idx_wisp_dep_type_issue (type, depends_on_issue_id), KEY idx_wisp_dep_type_wisp (type, depends_on_wisp_id),
      KEY idx_wisp_dep_type_external (type, depends_on_external),
      CONSTRAINT fk_wisp_dep_issue FOREIGN KEY (issue_id) REFERENCES wisps (id) ON DELETE CASCADE ON UPDATE CASCADE,
      CONSTRAINT fk_wisp_dep_issue_target FOREIGN KEY (depends_on_issue_id) REFERENCES issues (id) ON DELETE CASCADE ON UPDATE CASCADE,
      CONSTRAINT fk_wisp_dep_wisp_target FOREIGN KEY (depends_on_wisp_id) REFERENCES wisps (id) ON DELETE CASCADE ON UPDATE CASCADE,
      CONSTRAINT ck_wisp_dep_one_target CHECK ((depends_on_issue_id IS NOT NULL) + (depends_on_wisp_id IS NOT NULL) + (depends_on_external IS NOT NULL) = 1))`,
    `CREATE TABLE IF NOT EXISTS wisp_events (
      id CHAR(36) NOT NULL DEFAULT (UUID()) PRIMARY KEY, issue_id VARCHAR(255) NOT NULL, event_type VARCHAR(32) NOT NULL,
      actor VARCHAR(255) DEFAULT '', old_value LONGTEXT NULL, new_value LONGTEXT NULL, comment TEXT NULL,
      created_at DATETIME(3) NULL DEFAULT CURRENT_TIMESTAMP(3), KEY idx_wisp_events_issue (issue_id), KEY idx_wisp_events_created_at (created_at),
      CONSTRAINT fk_wisp_events_issue FOREIGN KEY (issue_id) REFERENCES wisps (id) ON DELETE CASCADE ON UPDATE CASCADE)`,
    `CREATE TABLE IF NOT EXISTS wisp_comments (
      id CHAR(36) NOT NULL DEFAULT (UUID()) PRIMARY KEY, issue_id VARCHAR(255) NOT NULL, author VARCHAR(255) DEFAULT '',
      text LONGTEXT NOT NULL, created_at DATETIME(3) NULL DEFAULT CURRENT_TIMESTAMP(3), KEY idx_wisp_comments_issue (issue_id),
      CONSTRAINT fk_wisp_comments_issue FOREIGN KEY (issue_id) REFERENCES wisps (id) ON DELETE CASCADE ON UPDATE CASCADE)`,
    `CREATE TABLE IF NOT EXISTS wisp_child_counters (
      parent_id VARCHAR(255) NOT NULL PRIMARY KEY, last_child INT NOT NULL DEFAULT 0,
      CONSTRAINT fk_wisp_child_counters_parent FOREIGN KEY (parent_id) REFERENCES wisps (id) ON DELETE CASCADE ON UPDATE CASCADE)`,
    // bd reads these cursors and finds nothing to migrate.
    `INSERT IGNORE INTO schema_migrations (version) VALUES ${range(BD_SCHEMA_VERSION)}`,
    `INSERT IGNORE INTO ignored_schema_migrations (version) VALUES ${range(BD_IGNORED_SCHEMA_VERSION)}`,
  ] as MigrationStatement[],
};
