-- +goose Up
-- An operator may pin the current report of a city and period (reports
-- pin): a later report of that city and period is then held, not applied.
-- pinned_at is when it was pinned (NULL: not pinned). A held report is kept
-- with status 'ingested', held true and superseded_by the pinned report
-- (the Go side calls its status "held"); held_figures is what it would
-- have written (its figures and findings, JSON), applied by reports unpin
-- to the newest held report, and cleared then.
ALTER TABLE reports ADD COLUMN pinned_at TIMESTAMP; -- UTC
ALTER TABLE reports ADD COLUMN held BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE reports ADD COLUMN held_figures TEXT NOT NULL DEFAULT '';

-- Withdrawing the current report of a city and period restores the values
-- it replaced or withdrew from figure_revisions: a revision keeps what a
-- figure row needs for that. Revisions kept before this migration are
-- derived when their measure is one only derived figures have, and lost
-- their line and zone as written.
ALTER TABLE figure_revisions ADD COLUMN derived BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE figure_revisions ADD COLUMN line INTEGER NOT NULL DEFAULT 0;
ALTER TABLE figure_revisions ADD COLUMN zone_written TEXT NOT NULL DEFAULT '';
UPDATE figure_revisions SET derived = true WHERE measure IN ('implied_city_total', 'implied_city_growth');
CREATE INDEX figure_revisions_replaced_by ON figure_revisions (replaced_by_report_id);

-- The findings a superseding report replaced, kept so that withdrawing it
-- brings them back with the report it superseded (superseded_by: the
-- report whose ingestion moved them here).
CREATE TABLE superseded_findings (
    id            INTEGER PRIMARY KEY,
    report_id     INTEGER NOT NULL REFERENCES reports (id),
    kind          TEXT NOT NULL,
    city          TEXT NOT NULL,
    zone          TEXT NOT NULL,
    indicator     TEXT NOT NULL,
    period        TEXT NOT NULL,
    message       TEXT NOT NULL,
    numbers       TEXT NOT NULL,
    sentences     TEXT NOT NULL,
    superseded_by INTEGER NOT NULL REFERENCES reports (id)
);
CREATE INDEX superseded_findings_by ON superseded_findings (superseded_by);

-- +goose Down
DROP TABLE superseded_findings;
DROP INDEX figure_revisions_replaced_by;
ALTER TABLE figure_revisions DROP COLUMN zone_written;
ALTER TABLE figure_revisions DROP COLUMN line;
ALTER TABLE figure_revisions DROP COLUMN derived;
ALTER TABLE reports DROP COLUMN held_figures;
ALTER TABLE reports DROP COLUMN held;
ALTER TABLE reports DROP COLUMN pinned_at;
