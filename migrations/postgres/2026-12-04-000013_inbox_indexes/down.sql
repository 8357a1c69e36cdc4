DROP INDEX contacts_opted_out;
DROP INDEX threads_recent;
CREATE INDEX threads_recent ON threads (store_id, last_message_at DESC, id DESC);
DROP INDEX threads_awaiting_reply;
DROP INDEX threads_unread;
