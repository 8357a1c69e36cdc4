DROP TABLE stats_daily;
