-- +goose Up
-- latest_figures holds, for each (derived, city, zone, indicator, measure),
-- the current row of figures at its latest period: what the snapshot
-- needs, kept by Ingest in the report's transaction, so that the refresh
-- reads one row per series however many periods figures holds. Its key
-- starts with derived: Latest reads the stated half in key order.
CREATE TABLE latest_figures (
    derived   BOOLEAN          NOT NULL,
    city      TEXT             NOT NULL,
    zone      TEXT             NOT NULL,
    indicator TEXT             NOT NULL,
    measure   TEXT             NOT NULL,
    period    TEXT             NOT NULL, -- YYYY-MM
    value     DOUBLE PRECISION NOT NULL,
    unit      TEXT             NOT NULL,
    approx    BOOLEAN          NOT NULL,
    text      TEXT             NOT NULL,
    line      INTEGER          NOT NULL,
    report_id INTEGER          NOT NULL, -- no foreign key: a copy of figures.report_id
    PRIMARY KEY (derived, city, zone, indicator, measure)
) WITHOUT ROWID;

-- SQLite takes the bare columns of an aggregate query from the row that
-- max() picked: the latest period's.
INSERT INTO latest_figures (derived, city, zone, indicator, measure, period, value, unit, approx, text, line, report_id)
SELECT derived, city, zone, indicator, measure, max(period), value, unit, approx, text, line, report_id
FROM figures
GROUP BY derived, city, zone, indicator, measure;

-- zones holds each (city, zone) with stated figures and its latest
-- period, for /api/v1/zones and each city's latest period; Ingest keeps it.
CREATE TABLE zones (
    city          TEXT NOT NULL,
    zone          TEXT NOT NULL,
    latest_period TEXT NOT NULL,
    PRIMARY KEY (city, zone)
) WITHOUT ROWID;

INSERT INTO zones (city, zone, latest_period)
SELECT city, zone, max(period) FROM latest_figures WHERE NOT derived GROUP BY city, zone;

-- store_state is one row: version moves with every ingested report, so
-- that a refresh finds out in one primary-key read whether anything
-- changed; figures counts the rows of figures (devzone_store_figures)
-- without count(*).
CREATE TABLE store_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    figures INTEGER NOT NULL
);
INSERT INTO store_state (id, version, figures) SELECT 1, 1, count(*) FROM figures;

-- A trend query for one zone without its city (figures_key starts with
-- city). Its order serves ORDER BY city, zone, indicator, measure, period
-- once zone, indicator and measure are fixed.
CREATE INDEX figures_zone ON figures (zone, indicator, measure, city, period);

-- Each city's latest period's findings are counted by kind from here.
CREATE INDEX findings_city_period ON findings (city, period, kind);

-- Ingest never deletes a figure; an operator may (DELETE FROM figures
-- WHERE city = …). This trigger keeps latest_figures, zones and
-- store_state true to what is left, so that the next refresh drops the
-- series or falls back to their previous period.
-- +goose StatementBegin
CREATE TRIGGER figures_deleted AFTER DELETE ON figures
BEGIN
    DELETE FROM latest_figures
    WHERE derived = old.derived AND city = old.city AND zone = old.zone
      AND indicator = old.indicator AND measure = old.measure AND period = old.period;
    INSERT OR IGNORE INTO latest_figures (derived, city, zone, indicator, measure, period, value, unit, approx, text, line, report_id)
    SELECT derived, city, zone, indicator, measure, max(period), value, unit, approx, text, line, report_id
    FROM figures
    WHERE derived = old.derived AND city = old.city AND zone = old.zone
      AND indicator = old.indicator AND measure = old.measure
    GROUP BY derived, city, zone, indicator, measure;
    DELETE FROM zones WHERE city = old.city AND zone = old.zone;
    INSERT OR IGNORE INTO zones (city, zone, latest_period)
    SELECT city, zone, max(period) FROM latest_figures
    WHERE NOT derived AND city = old.city AND zone = old.zone
    GROUP BY city, zone;
    UPDATE store_state SET version = version + 1, figures = figures - 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER figures_deleted;
DROP INDEX findings_city_period;
DROP INDEX figures_zone;
DROP TABLE store_state;
DROP TABLE zones;
DROP TABLE latest_figures;
