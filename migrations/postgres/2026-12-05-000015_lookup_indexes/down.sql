DROP INDEX contacts_store_id;
DROP INDEX outbox_step;
DROP INDEX messages_step;
DROP INDEX stats_hourly_hour;
DROP INDEX orders_attributed_message;
