-- +goose Up
-- A report about a city and period supersedes the earlier reports of that
-- city and period (Ingest, in its transaction). city is the cities of its
-- stated figures joined by 、 ('' for reports stored before this
-- migration); superseded_by the later report that replaced it;
-- withdrawn_at when an operator withdrew it (reports withdraw); withdrawn
-- how many figures it withdrew (a superseding report) or lost (a
-- withdrawn one). diagnostics is the parser's warnings, unmatched and
-- skipped sentences, a JSON object; warnings, unmatched and skipped count
-- them, for the per-city metrics without reading the JSON.
ALTER TABLE reports ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN superseded_by INTEGER REFERENCES reports (id);
ALTER TABLE reports ADD COLUMN withdrawn_at TIMESTAMP; -- UTC
ALTER TABLE reports ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN diagnostics TEXT NOT NULL DEFAULT '{}';
ALTER TABLE reports ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN unmatched INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reports_city_period ON reports (city, period);

-- A withdrawn figure leaves figures (the DELETE trigger of migration 4
-- keeps latest_figures, zones and store_state true) and is kept in
-- figure_revisions with reason 'withdrawn': its revisions outlive the
-- figure row, so figure_id no longer references figures. SQLite drops a
-- foreign key only by rebuilding the table.
CREATE TABLE figure_revisions_new (
    id                    INTEGER PRIMARY KEY,
    figure_id             INTEGER          NOT NULL,
    city                  TEXT             NOT NULL,
    zone                  TEXT             NOT NULL,
    indicator             TEXT             NOT NULL,
    measure               TEXT             NOT NULL,
    period                TEXT             NOT NULL,
    value                 DOUBLE PRECISION NOT NULL,
    unit                  TEXT             NOT NULL,
    approx                BOOLEAN          NOT NULL,
    text                  TEXT             NOT NULL,
    report_id             INTEGER          NOT NULL REFERENCES reports (id),
    replaced_by_report_id INTEGER          NOT NULL REFERENCES reports (id),
    replaced_at           TIMESTAMP        NOT NULL, -- UTC
    reason                TEXT             NOT NULL DEFAULT ''
);
INSERT INTO figure_revisions_new
SELECT id, figure_id, city, zone, indicator, measure, period, value, unit, approx, text,
       report_id, replaced_by_report_id, replaced_at, reason
FROM figure_revisions;
DROP TABLE figure_revisions;
ALTER TABLE figure_revisions_new RENAME TO figure_revisions;
CREATE INDEX figure_revisions_figure ON figure_revisions (figure_id);

-- +goose Down
DROP INDEX reports_city_period;
ALTER TABLE reports DROP COLUMN skipped;
ALTER TABLE reports DROP COLUMN unmatched;
ALTER TABLE reports DROP COLUMN warnings;
ALTER TABLE reports DROP COLUMN diagnostics;
ALTER TABLE reports DROP COLUMN withdrawn;
ALTER TABLE reports DROP COLUMN withdrawn_at;
ALTER TABLE reports DROP COLUMN superseded_by;
ALTER TABLE reports DROP COLUMN city;
