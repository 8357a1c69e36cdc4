-- Revenue recovered, per currency: a store selling in several (Shopify Markets) has orders in
-- each, and amounts in different currencies never add up. Tables of their own rather than a
-- currency in the key of stats_hourly and stats_daily, whose other figures have none: only
-- hours with orders credited to texts have revenue. Rebuilt from orders by the roll-up; never
-- edited by hand.
CREATE TABLE stats_revenue_hourly (
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    hour TIMESTAMP NOT NULL,
    campaign_id BIGINT NOT NULL,
    currency TEXT NOT NULL,
    revenue_cents BIGINT NOT NULL,
    PRIMARY KEY (store_id, hour, campaign_id, currency)
);
-- The roll-up replaces and reads every store's latest hours.
CREATE INDEX stats_revenue_hourly_hour ON stats_revenue_hourly (hour);

-- The hours' revenue added up by the store's local day, as stats_daily (in its `time_zone`).
CREATE TABLE stats_revenue_daily (
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    campaign_id BIGINT NOT NULL,
    currency TEXT NOT NULL,
    revenue_cents BIGINT NOT NULL,
    PRIMARY KEY (store_id, day, campaign_id, currency)
);

-- Each store's revenue currency, as the dashboard names it: the one most of its last 100
-- orders are in (on a tie, the latest order's), else its country's.
CREATE TEMP TABLE store_revenue_currency AS
WITH recent AS (
    SELECT store_id, currency, placed_at, id,
        ROW_NUMBER() OVER (PARTITION BY store_id ORDER BY placed_at DESC, id DESC) AS nth
    FROM orders WHERE currency <> ''
),
tally AS (
    SELECT store_id, currency,
        ROW_NUMBER() OVER (PARTITION BY store_id
            ORDER BY COUNT(*) DESC, MAX(placed_at) DESC, MAX(id) DESC) AS pick
    FROM recent WHERE nth <= 100 GROUP BY store_id, currency
)
SELECT s.id AS store_id,
    COALESCE(t.currency, CASE WHEN UPPER(TRIM(s.country)) = 'CA' THEN 'CAD' ELSE 'USD' END)
        AS currency
FROM stores s LEFT JOIN tally t ON t.store_id = s.id AND t.pick = 1;

-- Summed revenue keeps its amount and gets the currency of the orders it came from (those
-- credited to texts, in the hour and campaign the roll-up summed them by). An hour whose orders
-- were in several currencies held a mix: it is split by currency from the orders themselves.
WITH credited AS (
    SELECT o.store_id AS store_id, date_trunc('hour', o.placed_at) AS hour,
        COALESCE(m.campaign_id, 0) AS campaign_id, o.currency AS currency,
        SUM(o.total_cents) AS cents
    FROM orders o JOIN messages m ON m.id = o.attributed_message_id
    WHERE o.currency <> ''
    GROUP BY 1, 2, 3, 4
),
currencies AS (
    SELECT store_id, hour, campaign_id, COUNT(*) AS n FROM credited GROUP BY 1, 2, 3
)
INSERT INTO stats_revenue_hourly (store_id, hour, campaign_id, currency, revenue_cents)
SELECT s.store_id, s.hour, s.campaign_id, c.currency,
    CASE WHEN n.n = 1 THEN s.revenue_cents ELSE c.cents END
FROM stats_hourly s
JOIN currencies n
    ON n.store_id = s.store_id AND n.hour = s.hour AND n.campaign_id = s.campaign_id
JOIN credited c
    ON c.store_id = s.store_id AND c.hour = s.hour AND c.campaign_id = s.campaign_id
WHERE s.revenue_cents <> 0;

-- Revenue no order explains any more is the store's currency's.
INSERT INTO stats_revenue_hourly (store_id, hour, campaign_id, currency, revenue_cents)
SELECT s.store_id, s.hour, s.campaign_id, c.currency, s.revenue_cents
FROM stats_hourly s JOIN store_revenue_currency c ON c.store_id = s.store_id
WHERE s.revenue_cents <> 0 AND NOT EXISTS (
    SELECT 1 FROM stats_revenue_hourly r
    WHERE r.store_id = s.store_id AND r.hour = s.hour AND r.campaign_id = s.campaign_id
);

-- Days are their hours added up, in the zone each day was added up in.
INSERT INTO stats_revenue_daily (store_id, day, campaign_id, currency, revenue_cents)
SELECT d.store_id, d.day, d.campaign_id, r.currency, SUM(r.revenue_cents)
FROM stats_daily d JOIN stats_revenue_hourly r
    ON r.store_id = d.store_id AND r.campaign_id = d.campaign_id
    AND r.hour >= d.day - INTERVAL '14 hours' AND r.hour < d.day + INTERVAL '36 hours'
    AND CAST((r.hour AT TIME ZONE 'UTC') AT TIME ZONE d.time_zone AS DATE) = d.day
GROUP BY d.store_id, d.day, d.campaign_id, r.currency;

DROP TABLE store_revenue_currency;
ALTER TABLE stats_hourly DROP COLUMN revenue_cents;
ALTER TABLE stats_daily DROP COLUMN revenue_cents;

-- The next roll-up sums all history again, days included: opt-outs now count only those the
-- customer made (by keyword), not numbers the merchant added to the do-not-text list.
DELETE FROM stats_rollup;
