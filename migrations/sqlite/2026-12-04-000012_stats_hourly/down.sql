DROP INDEX orders_placed_at;
DROP INDEX carts_abandoned_at;
DROP INDEX consent_events_occurred;
DROP INDEX short_links_first_clicked;
DROP INDEX messages_created_at;
DROP TABLE stats_rollup;
DROP TABLE stats_hourly;
