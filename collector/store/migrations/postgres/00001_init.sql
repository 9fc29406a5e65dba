-- +goose Up
-- reports holds one row per bulletin file seen, ingested or failed. A failed
-- bulletin keeps its error and is retried only when its checksum changes.
CREATE TABLE reports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT      NOT NULL,
    checksum    TEXT      NOT NULL UNIQUE,
    received_at TIMESTAMP NOT NULL, -- UTC
    period      TEXT      NOT NULL DEFAULT '', -- YYYY-MM or ''
    status      TEXT      NOT NULL CHECK (status IN ('ingested', 'failed')),
    error       TEXT      NOT NULL DEFAULT '',
    figures     INTEGER   NOT NULL DEFAULT 0
);

-- Key columns compare byte-wise (COLLATE "C", code point order) whatever
-- the database's locale: it is what SQLite does, so both dialects order
-- Latest and Figures alike, and it is the fastest to index.
--
-- figures holds the current value of every figure. zone is the figure's
-- zones joined by 、; period_end is Period.End() in UTC, Grafana's time column.
CREATE TABLE figures (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id  BIGINT           NOT NULL REFERENCES reports (id),
    city       TEXT COLLATE "C" NOT NULL,
    zone       TEXT COLLATE "C" NOT NULL,
    indicator  TEXT COLLATE "C" NOT NULL,
    measure    TEXT COLLATE "C" NOT NULL,
    period     TEXT COLLATE "C" NOT NULL, -- YYYY-MM
    period_end TIMESTAMP        NOT NULL, -- UTC
    value      DOUBLE PRECISION NOT NULL,
    unit       TEXT             NOT NULL,
    approx     BOOLEAN          NOT NULL DEFAULT false,
    derived    BOOLEAN          NOT NULL DEFAULT false,
    text       TEXT             NOT NULL DEFAULT '',
    line       INTEGER          NOT NULL DEFAULT 0,
    CONSTRAINT figures_key UNIQUE (city, zone, indicator, measure, period, derived)
) WITH (fillfactor = 70); -- room for HOT updates when a report revises figures

-- figures_key (above) is the one index on figures: Ingest probes it once
-- per staged figure, Latest reads it in key and period order, Figures uses
-- it when filtered by city. A second index would slow ingestion and, with
-- stale statistics, tempt PostgreSQL into probing the wrong one.

-- figure_revisions keeps every value a later report replaced: who stated it,
-- who replaced it and when. Nothing is overwritten silently.
CREATE TABLE figure_revisions (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    figure_id             BIGINT           NOT NULL REFERENCES figures (id),
    city                  TEXT COLLATE "C" NOT NULL,
    zone                  TEXT COLLATE "C" NOT NULL,
    indicator             TEXT COLLATE "C" NOT NULL,
    measure               TEXT COLLATE "C" NOT NULL,
    period                TEXT COLLATE "C" NOT NULL,
    value                 DOUBLE PRECISION NOT NULL,
    unit                  TEXT             NOT NULL,
    approx                BOOLEAN          NOT NULL,
    text                  TEXT             NOT NULL,
    report_id             BIGINT           NOT NULL REFERENCES reports (id),
    replaced_by_report_id BIGINT           NOT NULL REFERENCES reports (id),
    replaced_at           TIMESTAMP        NOT NULL -- UTC
);

-- Revisions finds a key's figure through figures_key, then its revisions
-- by figure_id (a figure row is never deleted, only updated).
CREATE INDEX figure_revisions_figure ON figure_revisions (figure_id);

-- +goose Down
DROP TABLE figure_revisions;
DROP TABLE figures;
DROP TABLE reports;
