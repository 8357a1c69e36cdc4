-- Lookups that read a whole table without an index of their own (found with EXPLAIN on both
-- databases).

-- Campaign stats: the orders credited to the campaign's texts.
CREATE INDEX orders_attributed_message ON orders (attributed_message_id);

-- The roll-up, every minute: the recent hours of every store.
CREATE INDEX stats_hourly_hour ON stats_hourly (hour);

-- Editing or deleting a campaign: the texts its removed steps leave behind (foreign keys).
CREATE INDEX messages_step ON messages (step_id);
CREATE INDEX outbox_step ON outbox (step_id);

-- The contacts list, newest first, one page at a time.
CREATE INDEX contacts_store_id ON contacts (store_id, id);
