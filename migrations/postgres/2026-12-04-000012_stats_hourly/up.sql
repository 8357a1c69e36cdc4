-- The results dashboard reads these hourly sums instead of every message: one row per store,
-- UTC hour and campaign (0: texts of no campaign, and store-wide figures such as abandoned
-- carts). Rebuilt from the source tables by the roll-up; never edited by hand.
CREATE TABLE stats_hourly (
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    hour TIMESTAMP NOT NULL,
    campaign_id BIGINT NOT NULL,
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
    PRIMARY KEY (store_id, hour, campaign_id)
);

-- How far the roll-up has gone: hours before `rolled_until` are summed.
CREATE TABLE stats_rollup (
    id INTEGER PRIMARY KEY,
    rolled_until TIMESTAMP NOT NULL
);

-- What the roll-up reads, by the time each figure counts at.
CREATE INDEX messages_created_at ON messages (created_at);
CREATE INDEX short_links_first_clicked ON short_links (first_clicked_at);
CREATE INDEX consent_events_occurred ON consent_events (occurred_at);
CREATE INDEX carts_abandoned_at ON carts (abandoned_at);
CREATE INDEX orders_placed_at ON orders (placed_at);
