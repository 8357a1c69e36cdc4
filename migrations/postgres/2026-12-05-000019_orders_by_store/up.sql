-- A store's latest orders: the currency its revenue is shown in (the one most of its last
-- hundred orders are in), read on every dashboard and campaign results page.
CREATE INDEX orders_store_placed ON orders (store_id, placed_at, id);
