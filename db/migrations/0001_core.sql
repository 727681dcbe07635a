-- 0001_core.sql: core tables of every attt database.
-- Portable SQL only (the subset SQLite and PostgreSQL share). Released migrations are never edited:
-- a change is a new numbered file. schema_migrations itself is created by the migration runner
-- (src/lib/db/migrate.c), since it records that this file ran.

-- Facts about the data directory as a whole, one row per key:
--   data_id      random 128-bit id of this data directory (hex), to tell copies apart in reports
--                and backups
--   created_at   when `attt init` made it, µs since the epoch, UTC
--   created_by   the attt version that made it
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
