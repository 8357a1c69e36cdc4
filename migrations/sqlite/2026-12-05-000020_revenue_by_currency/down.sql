ALTER TABLE stats_hourly ADD COLUMN revenue_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_daily ADD COLUMN revenue_cents BIGINT NOT NULL DEFAULT 0;
-- One total of every currency again, as before.
UPDATE stats_hourly SET revenue_cents = COALESCE((
    SELECT SUM(r.revenue_cents) FROM stats_revenue_hourly r
    WHERE r.store_id = stats_hourly.store_id AND r.hour = stats_hourly.hour
    AND r.campaign_id = stats_hourly.campaign_id
), 0);
UPDATE stats_daily SET revenue_cents = COALESCE((
    SELECT SUM(r.revenue_cents) FROM stats_revenue_daily r
    WHERE r.store_id = stats_daily.store_id AND r.day = stats_daily.day
    AND r.campaign_id = stats_daily.campaign_id
), 0);
DROP TABLE stats_revenue_daily;
DROP INDEX stats_revenue_hourly_hour;
DROP TABLE stats_revenue_hourly;

-- The next roll-up sums all history again, by the old rules.
DELETE FROM stats_rollup;
