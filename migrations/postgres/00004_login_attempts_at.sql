-- Log-in attempts older than access.LoginAttemptRetention are deleted when
-- someone logs in: by their time.

-- +goose Up
CREATE INDEX login_attempts_at ON login_attempts (at);

-- +goose Down
DROP INDEX login_attempts_at;
