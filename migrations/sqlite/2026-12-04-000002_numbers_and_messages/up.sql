-- The numbers stores text from, and the texts themselves: contacts, threads, messages.

-- Where the store is: numbers near it are suggested first.
ALTER TABLE stores ADD COLUMN country TEXT;
ALTER TABLE stores ADD COLUMN region TEXT;

-- A number's life: reserving (claimed, provider call under way), active, released.
-- reserved_at..released_at is the store's SMS charge period for it.
CREATE TABLE phone_numbers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    phone_number TEXT NOT NULL,
    provider_sid TEXT,
    country TEXT NOT NULL,
    region TEXT,
    locality TEXT,
    status TEXT NOT NULL,
    reserved_at TIMESTAMP NOT NULL,
    reserved_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    released_at TIMESTAMP,
    -- Set once the provider has confirmed the release (retried until then).
    provider_released_at TIMESTAMP
);
-- At most one number per store that is not released: two concurrent reserves, one winner.
CREATE UNIQUE INDEX phone_numbers_one_live_per_store ON phone_numbers (store_id) WHERE released_at IS NULL;
CREATE UNIQUE INDEX phone_numbers_live_number ON phone_numbers (phone_number) WHERE released_at IS NULL;

-- One contact per store and phone number. `phone` is E.164 when the number could be read;
-- only US and Canadian numbers are textable, and why not is kept.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    phone TEXT,
    phone_raw TEXT,
    textable BOOLEAN NOT NULL,
    not_textable_reason TEXT,
    external_id TEXT,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    -- granted | denied | unknown, with where and when it was given (history in consent_events).
    sms_consent TEXT NOT NULL,
    consent_source TEXT,
    consent_at TIMESTAMP,
    opted_out_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, phone)
);
CREATE INDEX contacts_external_id ON contacts (store_id, external_id);
CREATE INDEX contacts_email ON contacts (store_id, email);

-- One conversation per contact per store.
CREATE TABLE threads (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    last_message_at TIMESTAMP NOT NULL,
    last_message_preview TEXT NOT NULL,
    last_inbound_at TIMESTAMP,
    unread_count INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, contact_id)
);
CREATE INDEX threads_recent ON threads (store_id, last_message_at DESC, id DESC);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    thread_id BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    phone_number_id BIGINT REFERENCES phone_numbers (id),
    -- inbound | outbound
    direction TEXT NOT NULL,
    -- manual (a person replied) | automated (a campaign) | system (opt-out/HELP confirmations) | customer
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    -- inbound: received; outbound: scheduled, queued, sending, sent, delivered, undelivered, failed, cancelled
    status TEXT NOT NULL,
    error_code BIGINT,
    segments INTEGER NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    provider_sid TEXT UNIQUE,
    scheduled_for TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id, id);
CREATE INDEX messages_store_created ON messages (store_id, created_at);
CREATE INDEX messages_due ON messages (status, scheduled_for);
