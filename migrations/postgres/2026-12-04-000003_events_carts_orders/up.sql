-- What store platforms tell us: raw events, consent history, carts and orders.

-- A cart with no activity for this long, and no order, is abandoned.
ALTER TABLE stores ADD COLUMN abandon_after_minutes INTEGER NOT NULL DEFAULT 60;

-- Webhook secrets of the store's platforms (shopify, woocommerce).
CREATE TABLE integrations (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, platform)
);

-- Every event as received, for audit and replay; the unique key makes delivery idempotent.
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    -- api | shopify | woocommerce | internal
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    payload TEXT NOT NULL,
    -- accepted | stale
    outcome TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, source, external_id)
);
CREATE INDEX events_type ON events (store_id, event_type, occurred_at);

-- The consent audit trail: rows are only ever added.
CREATE TABLE consent_events (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    event_id BIGINT REFERENCES events (id),
    note TEXT
);
CREATE INDEX consent_events_contact ON consent_events (contact_id, id);

-- open -> abandoned (no activity for abandon_after, no order) -> recovered (an order came)
-- -> expired (7 days); open -> converted when ordered before it was ever abandoned.
CREATE TABLE carts (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    external_id TEXT NOT NULL,
    status TEXT NOT NULL,
    line_items TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    recovery_url TEXT,
    last_activity_at TIMESTAMP NOT NULL,
    -- last_activity_at plus the store's delay, fixed at each activity: the worker's index.
    abandon_due_at TIMESTAMP NOT NULL,
    abandoned_at TIMESTAMP,
    recovered_at TIMESTAMP,
    order_id BIGINT,
    closed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, external_id)
);
CREATE INDEX carts_due ON carts (status, abandon_due_at);
CREATE INDEX carts_activity ON carts (status, last_activity_at);
CREATE INDEX carts_contact ON carts (contact_id, status);

CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    cart_id BIGINT REFERENCES carts (id) ON DELETE SET NULL,
    external_id TEXT NOT NULL,
    number TEXT,
    -- placed | updated | shipped | on_hold | cancelled: the last applied event's meaning
    status TEXT NOT NULL,
    platform_status TEXT,
    financial_status TEXT,
    fulfillment_status TEXT,
    line_items TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    shipping_region TEXT,
    tracking_number TEXT,
    tracking_url TEXT,
    carrier TEXT,
    placed_at TIMESTAMP NOT NULL,
    last_event_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, external_id)
);
CREATE INDEX orders_contact ON orders (contact_id, placed_at);

-- Each order's status timeline.
CREATE TABLE order_events (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    note TEXT
);
CREATE INDEX order_events_order ON order_events (order_id, occurred_at);
