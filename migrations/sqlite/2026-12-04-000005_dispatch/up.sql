-- The dispatcher: what campaigns will send, links that count clicks, pacing per number,
-- and the store's own narrower sending rules.

-- One row per text a campaign will send, from scheduling until it is sent, cancelled or
-- given up. The conversation's message row is created when the text is claimed for sending.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    step_id BIGINT NOT NULL REFERENCES campaign_steps (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    cart_id BIGINT REFERENCES carts (id) ON DELETE CASCADE,
    order_id BIGINT REFERENCES orders (id) ON DELETE CASCADE,
    -- marketing (consent, quiet hours, daily cap) | transactional (never to an opted-out contact)
    purpose TEXT NOT NULL,
    -- scheduled | sending | sent | cancelled | failed
    status TEXT NOT NULL,
    -- why it was cancelled, deferred or failed, in the merchant's words
    reason TEXT,
    due_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    -- while sending: the claim holds until then; a worker that dies loses it to the reconciler
    lease_until TIMESTAMP,
    claimed_by TEXT,
    message_id BIGINT REFERENCES messages (id) ON DELETE SET NULL,
    -- a replayed event schedules nothing new: one row per key and store
    dedupe_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, dedupe_key)
);
CREATE INDEX outbox_due ON outbox (status, due_at);
CREATE INDEX outbox_cart ON outbox (cart_id, status);
CREATE INDEX outbox_contact ON outbox (contact_id, status);
CREATE INDEX outbox_campaign ON outbox (campaign_id, status);

-- Which campaign step sent a message (stats), and whether it was marketing.
ALTER TABLE messages ADD COLUMN campaign_id BIGINT REFERENCES campaigns (id) ON DELETE SET NULL;
ALTER TABLE messages ADD COLUMN step_id BIGINT REFERENCES campaign_steps (id) ON DELETE SET NULL;
ALTER TABLE messages ADD COLUMN marketing BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN sent_at TIMESTAMP;
ALTER TABLE messages ADD COLUMN delivered_at TIMESTAMP;
CREATE INDEX messages_campaign ON messages (campaign_id, step_id);
CREATE INDEX messages_contact_sent ON messages (contact_id, sent_at);

-- {PUBLIC_BASE_URL}/r/{code}: redirects to target_url and counts the clicks of one message.
CREATE TABLE short_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    target_url TEXT NOT NULL,
    clicks INTEGER NOT NULL,
    first_clicked_at TIMESTAMP,
    last_clicked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX short_links_message ON short_links (message_id);

-- Per-number pacing shared by every worker: the earliest time the number may send again.
ALTER TABLE phone_numbers ADD COLUMN next_send_at TIMESTAMP;

-- The store may narrow, never widen, when and how often marketing texts go out.
ALTER TABLE stores ADD COLUMN marketing_per_day INTEGER NOT NULL DEFAULT 2;
ALTER TABLE stores ADD COLUMN quiet_start_hour INTEGER;
ALTER TABLE stores ADD COLUMN quiet_end_hour INTEGER;

-- The message an order is credited to (revenue recovered), when one led to it.
ALTER TABLE orders ADD COLUMN attributed_message_id BIGINT REFERENCES messages (id) ON DELETE SET NULL;
