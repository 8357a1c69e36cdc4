-- The hourly sums added up by the store's local day (in `time_zone`, the store's zone when they
-- were added up), so a report reads one row per day and campaign. Rebuilt from stats_hourly by
-- the roll-up; never edited by hand.
CREATE TABLE stats_daily (
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    campaign_id BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    sent BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    segments BIGINT NOT NULL DEFAULT 0,
    clicks BIGINT NOT NULL DEFAULT 0,
    replies BIGINT NOT NULL DEFAULT 0,
    opt_outs BIGINT NOT NULL DEFAULT 0,
    carts_abandoned BIGINT NOT NULL DEFAULT 0,
    carts_recovered BIGINT NOT NULL DEFAULT 0,
    orders BIGINT NOT NULL DEFAULT 0,
    revenue_cents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day, campaign_id)
);

-- The next roll-up sums all history again, days included.
DELETE FROM stats_rollup;
