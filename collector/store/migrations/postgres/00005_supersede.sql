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
ALTER TABLE reports ADD COLUMN superseded_by BIGINT REFERENCES reports (id);
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
-- figure row, so figure_id no longer references figures.
ALTER TABLE figure_revisions DROP CONSTRAINT figure_revisions_figure_id_fkey;

-- +goose Down
ALTER TABLE figure_revisions ADD CONSTRAINT figure_revisions_figure_id_fkey FOREIGN KEY (figure_id) REFERENCES figures (id) NOT VALID;
DROP INDEX reports_city_period;
ALTER TABLE reports DROP COLUMN skipped;
ALTER TABLE reports DROP COLUMN unmatched;
ALTER TABLE reports DROP COLUMN warnings;
ALTER TABLE reports DROP COLUMN diagnostics;
ALTER TABLE reports DROP COLUMN withdrawn;
ALTER TABLE reports DROP COLUMN withdrawn_at;
ALTER TABLE reports DROP COLUMN superseded_by;
ALTER TABLE reports DROP COLUMN city;
