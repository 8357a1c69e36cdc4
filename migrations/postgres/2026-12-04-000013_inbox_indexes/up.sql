-- The inbox's filter tabs in a large store: each walks only its own threads, most recent
-- first, instead of every recent thread until a page's worth passes the filter.
CREATE INDEX threads_unread ON threads (store_id, last_message_at DESC, id DESC) WHERE unread_count > 0;
CREATE INDEX threads_awaiting_reply ON threads (store_id, last_message_at DESC, id DESC) WHERE last_inbound_at = last_message_at;

-- The list of threads with the contact in the index: the opted-out filter and a search test
-- each thread's contact without reading the thread's row.
DROP INDEX threads_recent;
CREATE INDEX threads_recent ON threads (store_id, last_message_at DESC, id DESC, contact_id);

-- The store's opted-out contacts, most recent first: the opt-outs page, and the inbox's
-- opted-out filter.
CREATE INDEX contacts_opted_out ON contacts (store_id, opted_out_at DESC, id DESC) WHERE opted_out_at IS NOT NULL;
