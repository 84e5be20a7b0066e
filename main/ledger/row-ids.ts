// The ids the town gives the rows it inserts with a UUID key (events, comments, dependencies):
// time-ordered UUIDs, version 7 (RFC 9562). Rows written one after another then sit side by side at
// the end of the table's primary index, so a Dolt commit rewrites the index's last chunks instead of
// chunks all over it (bench/ledger-event-ids.ts: 0.68x the bytes a commit writes). They stay UUIDs in
// bd's CHAR(36) columns; rows bd writes keep whatever ids bd gives them.
import { v7 } from 'uuid';

export const newRowId = (): string => v7();
