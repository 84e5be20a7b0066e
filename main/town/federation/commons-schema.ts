// The commons (the wanted board shared by towns): a Dolt database of its own, `wl_commons` on each
// town's server, a clone of one upstream (or the upstream itself in the town that hosts it).
//
// Invariants:
//   - Every table's key is chosen so that two towns' independent rows never collide: wanted items
//     have hashed ids, towns and claim attempts are keyed by the town's own handle. The only rows two
//     towns change together are a wanted item's claim fields: that is where the claim race is settled.
export const COMMONS_DATABASE = 'wl_commons';
export const COMMONS_SCHEMA_VERSION = 1;

export const COMMONS_TABLES = [
  `CREATE TABLE IF NOT EXISTS wanted (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    title VARCHAR(500) NOT NULL,
    description LONGTEXT NOT NULL,
    type VARCHAR(32) NOT NULL DEFAULT 'task',
    priority INT NOT NULL DEFAULT 2,
    posted_by VARCHAR(64) NOT NULL,
    source_bead VARCHAR(255) NOT NULL DEFAULT '',
    link VARCHAR(1024) NOT NULL DEFAULT '',
    status VARCHAR(16) NOT NULL DEFAULT 'open',
    claimed_by VARCHAR(64) NULL,
    claimed_at DATETIME(3) NULL,
    completed_ref VARCHAR(1024) NULL,
    completed_at DATETIME(3) NULL,
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    KEY idx_wanted_status (status)
  )`,
  `CREATE TABLE IF NOT EXISTS towns (
    handle VARCHAR(64) NOT NULL PRIMARY KEY,
    accepted TINYINT(1) NOT NULL DEFAULT 0,
    accepted_by VARCHAR(64) NOT NULL DEFAULT '',
    joined_at DATETIME(3) NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS claim_attempts (
    wanted_id VARCHAR(64) NOT NULL,
    town VARCHAR(64) NOT NULL,
    outcome VARCHAR(16) NOT NULL,
    at DATETIME(3) NOT NULL,
    PRIMARY KEY (wanted_id, town)
  )`,
  "CREATE TABLE IF NOT EXISTS commons_meta (`key` VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
];
