-- The initial schema of panhuo on SQLite.
--
-- Conventions: dates are TEXT 'YYYY-MM-DD' or NULL (they compare as text);
-- timestamps are TEXT RFC 3339 with nanoseconds in UTC; geometries are WKB
-- BLOBs in lon/lat (CGCS2000); booleans are INTEGER 0/1. park_code is kept on
-- every parcel-related row so that the tables can be distributed by park.
-- Disposal methods are seeded from Go (land.DefaultMethods), not here.

-- +goose Up

CREATE TABLE parks (
    code        TEXT    NOT NULL PRIMARY KEY CHECK (code <> ''),
    name        TEXT    NOT NULL,
    level       TEXT    NOT NULL DEFAULT '',
    city        TEXT    NOT NULL DEFAULT '',
    boundary    BLOB,                                  -- WKB MultiPolygon; NULL when not drawn
    area_mu     REAL    NOT NULL DEFAULT 0,
    gk_zone     INTEGER NOT NULL DEFAULT 0,
    builtup_mu  REAL    NOT NULL DEFAULT 0 CHECK (builtup_mu >= 0),
    target_mu   REAL    NOT NULL DEFAULT 0 CHECK (target_mu >= 0),
    target_year INTEGER NOT NULL DEFAULT 0,
    demo        INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
) STRICT;

-- The version of parks: it moves on with every change to them, in the same
-- transaction, so that a store may cache the park list it read.
CREATE TABLE parks_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO parks_version (id, version) VALUES (1, 0);

-- +goose StatementBegin
CREATE TRIGGER parks_insert_version AFTER INSERT ON parks
BEGIN
    UPDATE parks_version SET version = version + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER parks_update_version AFTER UPDATE ON parks
BEGIN
    UPDATE parks_version SET version = version + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER parks_delete_version AFTER DELETE ON parks
BEGIN
    UPDATE parks_version SET version = version + 1;
END;
-- +goose StatementEnd

CREATE TABLE methods (
    code   TEXT    NOT NULL PRIMARY KEY CHECK (code <> ''),
    class  TEXT    NOT NULL CHECK (class IN ('unsupplied', 'idle', 'inefficient')),
    name   TEXT    NOT NULL,
    counts INTEGER NOT NULL CHECK (counts IN (0, 1)),
    ord    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE parcels (
    -- What rates and lists read most comes first; the geometry, which may
    -- spill onto overflow pages, comes last.
    id                   INTEGER PRIMARY KEY,
    park_code            TEXT    NOT NULL REFERENCES parks (code),
    class                TEXT    NOT NULL CHECK (class IN ('unsupplied', 'idle', 'inefficient')),
    status               TEXT    NOT NULL CHECK (status IN ('pending', 'in_progress', 'disposed')),
    area_mu              REAL    NOT NULL CHECK (area_mu >= 0),
    counted_mu           REAL    NOT NULL DEFAULT 0,   -- Σ area of its counting steps; kept by triggers
    identified_on        TEXT CHECK (identified_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    removed_on           TEXT CHECK (removed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    disposed_mu          REAL    NOT NULL DEFAULT 0 CHECK (disposed_mu >= 0),
    area_m2              REAL    NOT NULL CHECK (area_m2 >= 0),
    gk_zone              INTEGER NOT NULL DEFAULT 0,
    minx                 REAL    NOT NULL,             -- bbox of geometry, mirrored in parcels_rtree
    miny                 REAL    NOT NULL,
    maxx                 REAL    NOT NULL,
    maxy                 REAL    NOT NULL,
    -- land.ParcelFields
    code                 TEXT    NOT NULL DEFAULT '',
    supervision_no       TEXT    NOT NULL DEFAULT '',
    project_name         TEXT    NOT NULL DEFAULT '',
    land_user            TEXT    NOT NULL DEFAULT '',
    location             TEXT    NOT NULL DEFAULT '',
    land_use             TEXT    NOT NULL DEFAULT '',
    declared_area_mu     REAL,
    note                 TEXT    NOT NULL DEFAULT '',
    batch_name           TEXT    NOT NULL DEFAULT '',
    approval_no          TEXT    NOT NULL DEFAULT '',
    approved_on          TEXT CHECK (approved_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    contract_no          TEXT    NOT NULL DEFAULT '',
    agreed_start_on      TEXT CHECK (agreed_start_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    agreed_completion_on TEXT CHECK (agreed_completion_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    idle_cause           TEXT    NOT NULL DEFAULT ''
                         CHECK (idle_cause IN ('', 'government', 'enterprise', 'force_majeure')),
    identified_reason    TEXT    NOT NULL DEFAULT '',
    plot_ratio           REAL,
    tax_per_mu           REAL,
    -- bookkeeping
    flags                TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(flags) AND json_type(flags) = 'array'),
    removed_reason       TEXT    NOT NULL DEFAULT '',
    split_of             INTEGER REFERENCES parcels (id),
    version              INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by           TEXT    NOT NULL,
    created_at           TEXT    NOT NULL,
    updated_by           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    geometry             BLOB    NOT NULL,             -- WKB Polygon or MultiPolygon
    CHECK (minx <= maxx AND miny <= maxy)
) STRICT;

-- Rates: a covering index, scanned in (park_code, class) order with no lookups.
CREATE INDEX parcels_park_class_rate ON parcels (park_code, class, identified_on, removed_on, area_mu);
-- Rates as of a past date: the parcels identified or removed after it.
CREATE INDEX parcels_identified_on ON parcels (identified_on);
CREATE INDEX parcels_removed_on ON parcels (removed_on) WHERE removed_on IS NOT NULL;
-- Layers and lists filtered by status and class across parks.
CREATE INDEX parcels_status_class ON parcels (status, class);
CREATE INDEX parcels_split_of ON parcels (split_of) WHERE split_of IS NOT NULL;

-- The spatial index of parcel bounding boxes (32-bit floats, rounded outwards:
-- queries check the exact bbox columns of parcels as well).
CREATE VIRTUAL TABLE parcels_rtree USING rtree(id, minx, maxx, miny, maxy);

-- +goose StatementBegin
CREATE TRIGGER parcels_rtree_insert AFTER INSERT ON parcels
BEGIN
    INSERT INTO parcels_rtree (id, minx, maxx, miny, maxy)
    VALUES (NEW.id, NEW.minx, NEW.maxx, NEW.miny, NEW.maxy);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER parcels_rtree_update AFTER UPDATE OF id, minx, miny, maxx, maxy ON parcels
BEGIN
    DELETE FROM parcels_rtree WHERE id = OLD.id;
    INSERT INTO parcels_rtree (id, minx, maxx, miny, maxy)
    VALUES (NEW.id, NEW.minx, NEW.maxx, NEW.miny, NEW.maxy);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER parcels_rtree_delete AFTER DELETE ON parcels
BEGIN
    DELETE FROM parcels_rtree WHERE id = OLD.id;
END;
-- +goose StatementEnd

CREATE TABLE disposals (
    id         INTEGER PRIMARY KEY,
    parcel_id  INTEGER NOT NULL REFERENCES parcels (id),
    park_code  TEXT    NOT NULL REFERENCES parks (code),  -- always the parcel's park
    method     TEXT    NOT NULL REFERENCES methods (code),
    counts     INTEGER NOT NULL CHECK (counts IN (0, 1)), -- the method's flag when recorded
    date       TEXT    NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    area_mu    REAL    NOT NULL CHECK (area_mu >= 0),
    note       TEXT    NOT NULL DEFAULT '',
    created_by TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    CHECK (counts = 1 OR area_mu = 0)                   -- a step that does not count uses up no area
) STRICT;

-- A parcel's steps by date (ListDisposals), covering the per-parcel sums of rates.
CREATE INDEX disposals_parcel_date ON disposals (parcel_id, date, counts, area_mu);
-- Counting steps by date, for rates: the latest step, and the area disposed
-- per park in a period (DisposedByPark) read from the index alone.
CREATE INDEX disposals_counting_date ON disposals (date, park_code, area_mu, parcel_id) WHERE counts = 1;

-- parcels.counted_mu follows the parcel's counting steps, recomputed (not
-- incremented) so that it is exactly what a sum over the steps gives.
-- +goose StatementBegin
CREATE TRIGGER disposals_counted_insert AFTER INSERT ON disposals WHEN NEW.counts = 1
BEGIN
    UPDATE parcels SET counted_mu =
        (SELECT total(area_mu) FROM disposals WHERE parcel_id = NEW.parcel_id AND counts = 1)
    WHERE id = NEW.parcel_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER disposals_counted_update AFTER UPDATE OF parcel_id, counts, area_mu ON disposals
BEGIN
    UPDATE parcels SET counted_mu =
        (SELECT total(area_mu) FROM disposals WHERE parcel_id = parcels.id AND counts = 1)
    WHERE id IN (OLD.parcel_id, NEW.parcel_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER disposals_counted_delete AFTER DELETE ON disposals WHEN OLD.counts = 1
BEGIN
    UPDATE parcels SET counted_mu =
        (SELECT total(area_mu) FROM disposals WHERE parcel_id = OLD.parcel_id AND counts = 1)
    WHERE id = OLD.parcel_id;
END;
-- +goose StatementEnd

-- Running totals per park and class of the parcels identified and not
-- removed, kept by triggers on parcels, so that the current rates cost
-- O(parks) instead of a scan of every parcel. 1e-6 is land.AreaEpsilonMu.
CREATE TABLE rate_totals (
    park_code  TEXT    NOT NULL,
    class      TEXT    NOT NULL,
    parcels    INTEGER NOT NULL,  -- parcels identified and not removed
    area_mu    REAL    NOT NULL,  -- Σ area_mu
    counted_mu REAL    NOT NULL,  -- Σ counted_mu
    n_pos      INTEGER NOT NULL,  -- #{area_mu > ε}
    n_open     INTEGER NOT NULL,  -- #{area_mu − counted_mu > ε}
    n_full     INTEGER NOT NULL,  -- #{area_mu > ε and counted_mu ≥ area_mu − ε}
    PRIMARY KEY (park_code, class)
) STRICT, WITHOUT ROWID;

-- The version of rate_totals: it moves on with every change to them, in the
-- same transaction, so that a store may cache what it read of them.
CREATE TABLE rate_totals_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO rate_totals_version (id, version) VALUES (1, 0);

-- +goose StatementBegin
CREATE TRIGGER rate_totals_insert_version AFTER INSERT ON rate_totals
BEGIN
    UPDATE rate_totals_version SET version = version + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER rate_totals_update_version AFTER UPDATE ON rate_totals
BEGIN
    UPDATE rate_totals_version SET version = version + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER rate_totals_delete_version AFTER DELETE ON rate_totals
BEGIN
    UPDATE rate_totals_version SET version = version + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER parcels_totals_insert AFTER INSERT ON parcels
WHEN NEW.identified_on IS NOT NULL AND NEW.removed_on IS NULL
BEGIN
    INSERT INTO rate_totals (park_code, class, parcels, area_mu, counted_mu, n_pos, n_open, n_full)
    VALUES (NEW.park_code, NEW.class, 1, NEW.area_mu, NEW.counted_mu,
        NEW.area_mu > 1e-6, NEW.area_mu - NEW.counted_mu > 1e-6,
        NEW.area_mu > 1e-6 AND NEW.counted_mu >= NEW.area_mu - 1e-6)
    ON CONFLICT (park_code, class) DO UPDATE SET
        parcels = parcels + excluded.parcels, area_mu = area_mu + excluded.area_mu,
        counted_mu = counted_mu + excluded.counted_mu, n_pos = n_pos + excluded.n_pos,
        n_open = n_open + excluded.n_open, n_full = n_full + excluded.n_full;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER parcels_totals_delete AFTER DELETE ON parcels
WHEN OLD.identified_on IS NOT NULL AND OLD.removed_on IS NULL
BEGIN
    UPDATE rate_totals SET
        parcels = parcels - 1, area_mu = area_mu - OLD.area_mu,
        counted_mu = counted_mu - OLD.counted_mu, n_pos = n_pos - (OLD.area_mu > 1e-6),
        n_open = n_open - (OLD.area_mu - OLD.counted_mu > 1e-6),
        n_full = n_full - (OLD.area_mu > 1e-6 AND OLD.counted_mu >= OLD.area_mu - 1e-6)
    WHERE park_code = OLD.park_code AND class = OLD.class;
END;
-- +goose StatementEnd

-- Only when what the totals hold changes: an update that rewrites a parcel
-- with the same figures leaves them alone.
-- +goose StatementBegin
CREATE TRIGGER parcels_totals_update
AFTER UPDATE OF park_code, class, area_mu, counted_mu, identified_on, removed_on ON parcels
WHEN OLD.park_code IS NOT NEW.park_code OR OLD.class IS NOT NEW.class
    OR OLD.area_mu IS NOT NEW.area_mu OR OLD.counted_mu IS NOT NEW.counted_mu
    OR (OLD.identified_on IS NULL) IS NOT (NEW.identified_on IS NULL)
    OR (OLD.removed_on IS NULL) IS NOT (NEW.removed_on IS NULL)
BEGIN
    UPDATE rate_totals SET
        parcels = parcels - 1, area_mu = area_mu - OLD.area_mu,
        counted_mu = counted_mu - OLD.counted_mu, n_pos = n_pos - (OLD.area_mu > 1e-6),
        n_open = n_open - (OLD.area_mu - OLD.counted_mu > 1e-6),
        n_full = n_full - (OLD.area_mu > 1e-6 AND OLD.counted_mu >= OLD.area_mu - 1e-6)
    WHERE park_code = OLD.park_code AND class = OLD.class
        AND OLD.identified_on IS NOT NULL AND OLD.removed_on IS NULL;
    INSERT INTO rate_totals (park_code, class, parcels, area_mu, counted_mu, n_pos, n_open, n_full)
    SELECT NEW.park_code, NEW.class, 1, NEW.area_mu, NEW.counted_mu,
        NEW.area_mu > 1e-6, NEW.area_mu - NEW.counted_mu > 1e-6,
        NEW.area_mu > 1e-6 AND NEW.counted_mu >= NEW.area_mu - 1e-6
    WHERE NEW.identified_on IS NOT NULL AND NEW.removed_on IS NULL
    ON CONFLICT (park_code, class) DO UPDATE SET
        parcels = parcels + excluded.parcels, area_mu = area_mu + excluded.area_mu,
        counted_mu = counted_mu + excluded.counted_mu, n_pos = n_pos + excluded.n_pos,
        n_open = n_open + excluded.n_open, n_full = n_full + excluded.n_full;
END;
-- +goose StatementEnd

-- A parcel moved to another park takes its disposal steps along; events keep
-- the park they were written in.
-- +goose StatementBegin
CREATE TRIGGER parcels_park_move AFTER UPDATE OF park_code ON parcels
BEGIN
    UPDATE disposals SET park_code = NEW.park_code WHERE parcel_id = NEW.id;
END;
-- +goose StatementEnd

CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    park_code TEXT    NOT NULL,                        -- no foreign key: the trail outlives what it records
    parcel_id INTEGER,
    kind      TEXT    NOT NULL CHECK (kind <> ''),
    actor     TEXT    NOT NULL CHECK (actor <> ''),
    at        TEXT    NOT NULL,
    "before"  TEXT CHECK ("before" IS NULL OR json_valid("before")),
    "after"   TEXT CHECK ("after" IS NULL OR json_valid("after"))
) STRICT;

CREATE INDEX events_parcel ON events (parcel_id, id) WHERE parcel_id IS NOT NULL;
CREATE INDEX events_park ON events (park_code, id);

-- The trail is append-only.
-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- INSERT OR REPLACE deletes the row it replaces without firing the delete
-- trigger (unless recursive_triggers is on): refuse an insert over an id.
-- +goose StatementBegin
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM events WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: REPLACE is not allowed');
END;
-- +goose StatementEnd

-- +goose Down

DROP TABLE events;
DROP TABLE rate_totals;
DROP TABLE rate_totals_version;
DROP TRIGGER parcels_totals_insert;
DROP TRIGGER parcels_totals_update;
DROP TRIGGER parcels_totals_delete;
DROP TRIGGER parcels_park_move;
DROP TABLE disposals;
DROP TABLE parcels_rtree;
DROP TABLE parcels;
DROP TABLE methods;
DROP TABLE parks_version;
DROP TABLE parks;
