-- Campaigns and their steps (one step for order notifications, up to five for cart flows).
CREATE TABLE campaigns (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    -- abandoned_cart | order_update | order_shipped | order_on_hold
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- draft | active | paused | stopped (by a number release)
    status TEXT NOT NULL,
    -- JSON array of order statuses (order_update only)
    order_statuses TEXT NOT NULL,
    activated_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX campaigns_store ON campaigns (store_id, status);

CREATE TABLE campaign_steps (
    id BIGSERIAL PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    delay_minutes INTEGER NOT NULL,
    body TEXT NOT NULL,
    discount_code TEXT,
    UNIQUE (campaign_id, position)
);
