-- +goose Up
-- latest_figures holds, for each (derived, city, zone, indicator, measure),
-- the current row of figures at its latest period: what the snapshot
-- needs, kept by Ingest in the report's transaction, so that the refresh
-- reads one row per series however many periods figures holds. Its key
-- starts with derived: Latest reads the stated half in key order.
CREATE TABLE latest_figures (
    derived   BOOLEAN          NOT NULL,
    city      TEXT COLLATE "C" NOT NULL,
    zone      TEXT COLLATE "C" NOT NULL,
    indicator TEXT COLLATE "C" NOT NULL,
    measure   TEXT COLLATE "C" NOT NULL,
    period    TEXT COLLATE "C" NOT NULL, -- YYYY-MM
    value     DOUBLE PRECISION NOT NULL,
    unit      TEXT             NOT NULL,
    approx    BOOLEAN          NOT NULL,
    text      TEXT             NOT NULL,
    line      INTEGER          NOT NULL,
    report_id BIGINT           NOT NULL, -- no foreign key: a copy of figures.report_id
    PRIMARY KEY (derived, city, zone, indicator, measure)
) WITH (fillfactor = 70); -- a new month updates every row: room for HOT updates

INSERT INTO latest_figures (derived, city, zone, indicator, measure, period, value, unit, approx, text, line, report_id)
SELECT DISTINCT ON (derived, city, zone, indicator, measure)
       derived, city, zone, indicator, measure, period, value, unit, approx, text, line, report_id
FROM figures
ORDER BY derived, city, zone, indicator, measure, period DESC;

-- zones holds each (city, zone) with stated figures and its latest
-- period, for /api/v1/zones and each city's latest period; Ingest keeps it.
CREATE TABLE zones (
    city          TEXT COLLATE "C" NOT NULL,
    zone          TEXT COLLATE "C" NOT NULL,
    latest_period TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (city, zone)
);

INSERT INTO zones (city, zone, latest_period)
SELECT city, zone, max(period) FROM latest_figures WHERE NOT derived GROUP BY city, zone;

-- store_state is one row: version moves with every ingested report, so
-- that a refresh finds out in one primary-key read whether anything
-- changed; figures counts the rows of figures (devzone_store_figures)
-- without count(*).
CREATE TABLE store_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL,
    figures BIGINT NOT NULL
);
INSERT INTO store_state (id, version, figures) SELECT 1, 1, count(*) FROM figures;

-- A trend query for one zone without its city (figures_key starts with
-- city). Its order serves ORDER BY city, zone, indicator, measure, period
-- once zone, indicator and measure are fixed.
CREATE INDEX figures_zone ON figures (zone, indicator, measure, city, period);

-- Each city's latest period's findings are counted by kind from here. The
-- count joins findings to zones, whose columns collate "C": the index
-- must too, or PostgreSQL cannot look the join's keys up in it and reads
-- every finding instead.
CREATE INDEX findings_city_period ON findings (city COLLATE "C", period COLLATE "C", kind);

-- Ingest never deletes a figure; an operator may (DELETE FROM figures
-- WHERE city = …). This trigger keeps latest_figures, zones and
-- store_state true to what is left, once per statement, so that the next
-- refresh drops the series or falls back to their previous period.
-- +goose StatementBegin
CREATE FUNCTION figures_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM latest_figures l USING old_rows o
    WHERE l.derived = o.derived AND l.city = o.city AND l.zone = o.zone
      AND l.indicator = o.indicator AND l.measure = o.measure AND l.period = o.period;
    -- Each series' newest remaining figure: one backward step along
    -- figures_key per series, not every period of it.
    INSERT INTO latest_figures (derived, city, zone, indicator, measure, period, value, unit, approx, text, line, report_id)
    SELECT o.derived, o.city, o.zone, o.indicator, o.measure, f.period, f.value, f.unit, f.approx, f.text, f.line, f.report_id
    FROM (SELECT DISTINCT derived, city, zone, indicator, measure FROM old_rows) o
    CROSS JOIN LATERAL (
        SELECT f.period, f.value, f.unit, f.approx, f.text, f.line, f.report_id
        FROM figures f
        WHERE f.city = o.city AND f.zone = o.zone AND f.indicator = o.indicator
          AND f.measure = o.measure AND f.derived = o.derived
        ORDER BY f.period DESC
        LIMIT 1) f
    ON CONFLICT DO NOTHING;
    DELETE FROM zones z USING old_rows o WHERE z.city = o.city AND z.zone = o.zone;
    INSERT INTO zones (city, zone, latest_period)
    SELECT l.city, l.zone, max(l.period)
    FROM latest_figures l JOIN (SELECT DISTINCT city, zone FROM old_rows) o ON l.city = o.city AND l.zone = o.zone
    WHERE NOT l.derived
    GROUP BY l.city, l.zone;
    UPDATE store_state SET version = version + 1, figures = figures - (SELECT count(*) FROM old_rows) WHERE id = 1;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER figures_deleted AFTER DELETE ON figures
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION figures_deleted();

-- +goose Down
DROP TRIGGER figures_deleted ON figures;
DROP FUNCTION figures_deleted();
DROP INDEX findings_city_period;
DROP INDEX figures_zone;
DROP TABLE store_state;
DROP TABLE zones;
DROP TABLE latest_figures;
