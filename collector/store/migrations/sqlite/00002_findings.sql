-- +goose Up
-- findings holds the inconsistencies found among a report's figures (two
-- statements implying different city totals, batches that do not add up),
-- stored with the report in its transaction. numbers and sentences are
-- JSON arrays of strings.
CREATE TABLE findings (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports (id),
    kind      TEXT    NOT NULL,
    city      TEXT    NOT NULL,
    zone      TEXT    NOT NULL,
    indicator TEXT    NOT NULL,
    period    TEXT    NOT NULL,
    message   TEXT    NOT NULL,
    numbers   TEXT    NOT NULL,
    sentences TEXT    NOT NULL
);
CREATE INDEX findings_report ON findings (report_id);

-- +goose Down
DROP TABLE findings;
