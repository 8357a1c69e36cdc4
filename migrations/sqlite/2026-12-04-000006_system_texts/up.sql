-- The outbox also carries texts no campaign sends: opt-out, opt-in and HELP confirmations
-- (purpose `compliance`), whose message is written when they are queued. SQLite cannot drop
-- NOT NULL in place, so the table is rebuilt.
CREATE TABLE outbox_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    campaign_id BIGINT REFERENCES campaigns (id) ON DELETE CASCADE,
    step_id BIGINT REFERENCES campaign_steps (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    cart_id BIGINT REFERENCES carts (id) ON DELETE CASCADE,
    order_id BIGINT REFERENCES orders (id) ON DELETE CASCADE,
    -- marketing (consent, quiet hours, daily cap) | transactional (never to an opted-out contact)
    -- | compliance (opt-out, opt-in and HELP confirmations)
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
INSERT INTO outbox_rebuilt (id, store_id, campaign_id, step_id, contact_id, cart_id, order_id, purpose, status, reason, due_at, attempts, lease_until, claimed_by, message_id, dedupe_key, created_at, updated_at) SELECT id, store_id, campaign_id, step_id, contact_id, cart_id, order_id, purpose, status, reason, due_at, attempts, lease_until, claimed_by, message_id, dedupe_key, created_at, updated_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, due_at);
CREATE INDEX outbox_cart ON outbox (cart_id, status);
CREATE INDEX outbox_contact ON outbox (contact_id, status);
CREATE INDEX outbox_campaign ON outbox (campaign_id, status);
