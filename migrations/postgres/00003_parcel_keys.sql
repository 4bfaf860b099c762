-- Imports find the parcel a re-imported feature updates by its 宗地编号
-- (code) or 电子监管号 (supervision_no).

-- +goose Up
CREATE INDEX parcels_code ON parcels (code) WHERE code <> '';
CREATE INDEX parcels_supervision_no ON parcels (supervision_no) WHERE supervision_no <> '';

-- +goose Down
DROP INDEX parcels_supervision_no;
DROP INDEX parcels_code;
