// The ledger's schema as an ordered list of migrations. Table shapes follow beads v1.0.5
// (reference/beads-format.md §3); from version 2 on the database is one bd v1.0.5 itself accepts
// (schema-beads.ts), so the real `bd` works on it; deviations are in docs/ledger.md. The town's
// version is kept in `gt_schema_migrations`; bd's cursors (`schema_migrations`,
// `ignored_schema_migrations`) are set to the bd version whose shape the town matches.
import { BEADS_V105_MIGRATION, type MigrationStatement } from './schema-beads.ts';

export interface Migration {
  version: number;
  name: string;
  /** Statements run in order; each must be safe to re-run after a crash halfway (IF NOT EXISTS…). */
  statements: MigrationStatement[];
  /** Committed tables this migration creates or alters, staged with DOLT_ADD (never -A). */
  tables: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'beads core tables',
    tables: ['issues', 'dependencies', 'labels', 'comments', 'events', 'config', 'metadata', 'child_counters', 'gt_schema_migrations', 'dolt_ignore'],
    statements: [
      `CREATE TABLE IF NOT EXISTS gt_schema_migrations (version INT PRIMARY KEY, name VARCHAR(255) NOT NULL DEFAULT '', applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`,
      `CREATE TABLE IF NOT EXISTS issues (
        id VARCHAR(255) NOT NULL PRIMARY KEY,
        content_hash VARCHAR(64) NULL,
        title VARCHAR(500) NOT NULL,
        description LONGTEXT NOT NULL,
        design LONGTEXT NOT NULL,
        acceptance_criteria LONGTEXT NOT NULL,
        notes LONGTEXT NOT NULL,
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
        close_reason LONGTEXT NOT NULL,
        closed_by_session VARCHAR(255) NOT NULL DEFAULT '',
        due_at DATETIME(3) NULL,
        defer_until DATETIME(3) NULL,
        external_ref VARCHAR(255) NULL,
        source_system VARCHAR(255) NOT NULL DEFAULT '',
        source_repo VARCHAR(512) NOT NULL DEFAULT '',
        spec_id VARCHAR(1024) NULL,
        metadata JSON NOT NULL,
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
        KEY idx_issues_status (status),
        KEY idx_issues_priority (priority),
        KEY idx_issues_issue_type (issue_type),
        KEY idx_issues_assignee (assignee),
        KEY idx_issues_created_at (created_at),
        KEY idx_issues_external_ref (external_ref),
        KEY idx_issues_defer_until (defer_until),
        KEY idx_issues_ready (status, is_blocked, priority, created_at)
      )`,
      `CREATE TABLE IF NOT EXISTS dependencies (
        id CHAR(36) NOT NULL PRIMARY KEY,
        issue_id VARCHAR(255) NOT NULL,
        type VARCHAR(32) NOT NULL DEFAULT 'blocks',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        created_by VARCHAR(255) NOT NULL,
        metadata JSON NOT NULL,
        thread_id VARCHAR(255) NOT NULL DEFAULT '',
        depends_on_issue_id VARCHAR(255) NULL,
        depends_on_wisp_id VARCHAR(255) NULL,
        depends_on_external VARCHAR(255) NULL,
        UNIQUE KEY uq_dep_issue (issue_id, depends_on_issue_id),
        UNIQUE KEY uq_dep_external (issue_id, depends_on_external),
        KEY idx_dep_issue_id (issue_id),
        KEY idx_dep_target (depends_on_issue_id),
        KEY idx_dep_type_target (type, depends_on_issue_id),
        CONSTRAINT fk_dep_issue FOREIGN KEY (issue_id) REFERENCES issues (id) ON DELETE CASCADE ON UPDATE CASCADE,
        CONSTRAINT fk_dep_target FOREIGN KEY (depends_on_issue_id) REFERENCES issues (id) ON DELETE CASCADE ON UPDATE CASCADE
      )`,
      `CREATE TABLE IF NOT EXISTS labels (
        issue_id VARCHAR(255) NOT NULL,
        label VARCHAR(255) NOT NULL,
        PRIMARY KEY (issue_id, label),
        KEY idx_labels_label (label),
        CONSTRAINT fk_labels_issue FOREIGN KEY (issue_id) REFERENCES issues (id) ON DELETE CASCADE ON UPDATE CASCADE
      )`,
      `CREATE TABLE IF NOT EXISTS comments (
        id CHAR(36) NOT NULL PRIMARY KEY,
        issue_id VARCHAR(255) NOT NULL,
        author VARCHAR(255) NOT NULL,
        text LONGTEXT NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY idx_comments_issue (issue_id),
        KEY idx_comments_created_at (created_at),
        CONSTRAINT fk_comments_issue FOREIGN KEY (issue_id) REFERENCES issues (id) ON DELETE CASCADE ON UPDATE CASCADE
      )`,
      `CREATE TABLE IF NOT EXISTS events (
        id CHAR(36) NOT NULL PRIMARY KEY,
        issue_id VARCHAR(255) NOT NULL,
        event_type VARCHAR(32) NOT NULL,
        actor VARCHAR(255) NOT NULL,
        old_value LONGTEXT NULL,
        new_value LONGTEXT NULL,
        comment TEXT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY idx_events_issue (issue_id),
        KEY idx_events_created_at (created_at)
      )`,
      "CREATE TABLE IF NOT EXISTS config (`key` VARCHAR(255) NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS metadata (`key` VARCHAR(255) NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
      `CREATE TABLE IF NOT EXISTS child_counters (
        parent_id VARCHAR(255) NOT NULL PRIMARY KEY,
        last_child INT NOT NULL DEFAULT 0,
        CONSTRAINT fk_child_counters_parent FOREIGN KEY (parent_id) REFERENCES issues (id) ON DELETE CASCADE ON UPDATE CASCADE
      )`,
      "INSERT IGNORE INTO config (`key`, value) VALUES ('issue_prefix', 'hq')",
      // Ephemeral rows never create commits: register the pattern before the tables exist.
      "REPLACE INTO dolt_ignore (pattern, ignored) VALUES ('wisp_%', 1), ('gt_ephemeral%', 1)",
      `CREATE TABLE IF NOT EXISTS gt_ephemeral (
        scope VARCHAR(64) NOT NULL,
        \`key\` VARCHAR(255) NOT NULL,
        value JSON NOT NULL,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (scope, \`key\`)
      )`,
    ],
  },
  BEADS_V105_MIGRATION,
];

/** The newest schema this code knows. A ledger with a higher version is refused. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
