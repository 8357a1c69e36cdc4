DROP TABLE order_events;
DROP TABLE orders;
DROP TABLE carts;
DROP TABLE consent_events;
DROP TABLE events;
DROP TABLE integrations;
ALTER TABLE stores DROP COLUMN abandon_after_minutes;
