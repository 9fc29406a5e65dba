-- +goose Up
-- zone_written keeps the zones as the bulletin wrote them when the zone
-- registry resolved them to another name (zone is then the canonical one);
-- '' when zone is as written. reason says why a revision was kept: '' for
-- a value a later report replaced, 'renamed' for a figure the registry
-- moved to its canonical zone, 'merged' for a value of a zone merged into
-- another that held the same figure.
ALTER TABLE figures ADD COLUMN zone_written TEXT NOT NULL DEFAULT '';
ALTER TABLE figure_revisions ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE figure_revisions DROP COLUMN reason;
ALTER TABLE figures DROP COLUMN zone_written;
