-- Users, log-in sessions, personal API tokens and log-in attempts (issue 3),
-- and the indexes with which an administrator browses the audit trail.
--
-- Timestamps of these tables are RFC 3339 UTC text with exactly nine
-- fractional digits ('2026-03-14T01:26:53.000000000Z'), so that they compare
-- as text: expiry and throttling compare them in SQL. Users are never
-- deleted (the trail keeps their login); they are disabled. Writes to users
-- and tokens append events (kind 'user.*' / 'token.*', park_code '') in the
-- same transaction; the events table is the one of 00001.

-- +goose Up

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    login               TEXT    NOT NULL UNIQUE
                        CHECK (length(login) BETWEEN 2 AND 32 AND login = lower(login)
                            AND login NOT GLOB '*[^a-z0-9._-]*'),
    display_name        TEXT    NOT NULL,
    role                TEXT    NOT NULL CHECK (role IN ('admin', 'officer', 'leader')),
    parks               TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(parks) AND json_type(parks) = 'array'),
    disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    password_hash       TEXT    NOT NULL CHECK (password_hash <> ''),
    password_changed_at TEXT    NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
) STRICT;

-- Counting the active administrators.
CREATE INDEX users_role ON users (role, disabled);

CREATE TABLE sessions (
    id_hash      TEXT    NOT NULL PRIMARY KEY,        -- hex SHA-256 of the raw id in the cookie
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    addr         TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,             -- hex SHA-256 of the raw token
    created_at   TEXT    NOT NULL,
    last_used_at TEXT,                                -- NULL: never used
    revoked_at   TEXT                                 -- NULL: valid
) STRICT;

CREATE INDEX tokens_user ON tokens (user_id, id);

CREATE TABLE login_attempts (
    id    INTEGER PRIMARY KEY,
    login TEXT    NOT NULL,                           -- as attempted (lower case), known or not
    addr  TEXT    NOT NULL,
    at    TEXT    NOT NULL,
    ok    INTEGER NOT NULL CHECK (ok IN (0, 1))
) STRICT;

-- Failures in the window, per login and per address (covering: ok is read
-- from the index), and the last success of each.
CREATE INDEX login_attempts_login ON login_attempts (login, at, ok);
CREATE INDEX login_attempts_addr ON login_attempts (addr, at, ok);
CREATE INDEX login_attempts_login_ok ON login_attempts (login, id) WHERE ok = 1;
CREATE INDEX login_attempts_addr_ok ON login_attempts (addr, id) WHERE ok = 1;

-- Browsing the trail by user and by kind, newest first (events_park serves
-- the park, events_parcel the parcel).
CREATE INDEX events_actor ON events (actor, id);
CREATE INDEX events_kind ON events (kind, id);

-- +goose Down

DROP INDEX events_kind;
DROP INDEX events_actor;
DROP TABLE login_attempts;
DROP TABLE tokens;
DROP TABLE sessions;
DROP TABLE users;
