//! The one schema for both backends: portable types only (`BigInt`, `Text`, `Timestamp` in UTC).
//! Both `migrations/sqlite` and `migrations/postgres` must produce exactly these tables.

diesel::table! {
    stores (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        country -> Nullable<Text>,
        region -> Nullable<Text>,
        abandon_after_minutes -> Integer,
        marketing_per_day -> Integer,
        quiet_start_hour -> Nullable<Integer>,
        quiet_end_hour -> Nullable<Integer>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        store_id -> BigInt,
        email -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        store_id -> BigInt,
        name -> Text,
        prefix -> Text,
        secret_hash -> Text,
        /// Comma-separated `Scope` names.
        scopes -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> stores (store_id));
diesel::joinable!(api_keys -> stores (store_id));
diesel::joinable!(sessions -> users (user_id));

diesel::table! {
    phone_numbers (id) {
        id -> BigInt,
        store_id -> BigInt,
        phone_number -> Text,
        provider_sid -> Nullable<Text>,
        country -> Text,
        region -> Nullable<Text>,
        locality -> Nullable<Text>,
        /// reserving | active | released
        status -> Text,
        reserved_at -> Timestamp,
        reserved_by_user_id -> Nullable<BigInt>,
        released_at -> Nullable<Timestamp>,
        provider_released_at -> Nullable<Timestamp>,
        next_send_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        store_id -> BigInt,
        phone -> Nullable<Text>,
        phone_raw -> Nullable<Text>,
        textable -> Bool,
        not_textable_reason -> Nullable<Text>,
        external_id -> Nullable<Text>,
        email -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        sms_consent -> Text,
        consent_source -> Nullable<Text>,
        consent_at -> Nullable<Timestamp>,
        opted_out_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    threads (id) {
        id -> BigInt,
        store_id -> BigInt,
        contact_id -> BigInt,
        last_message_at -> Timestamp,
        last_message_preview -> Text,
        unread_count -> Integer,
        created_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        awaiting_reply_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        store_id -> BigInt,
        thread_id -> BigInt,
        contact_id -> BigInt,
        phone_number_id -> Nullable<BigInt>,
        direction -> Text,
        kind -> Text,
        body -> Text,
        status -> Text,
        error_code -> Nullable<BigInt>,
        segments -> Integer,
        from_number -> Text,
        to_number -> Text,
        provider_sid -> Nullable<Text>,
        scheduled_for -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        campaign_id -> Nullable<BigInt>,
        step_id -> Nullable<BigInt>,
        marketing -> Bool,
        sent_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    integrations (id) {
        id -> BigInt,
        store_id -> BigInt,
        platform -> Text,
        secret -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        store_id -> BigInt,
        source -> Text,
        external_id -> Text,
        event_type -> Text,
        occurred_at -> Timestamp,
        payload -> Text,
        outcome -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    consent_events (id) {
        id -> BigInt,
        store_id -> BigInt,
        contact_id -> BigInt,
        status -> Text,
        source -> Text,
        occurred_at -> Timestamp,
        recorded_at -> Timestamp,
        event_id -> Nullable<BigInt>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    carts (id) {
        id -> BigInt,
        store_id -> BigInt,
        contact_id -> Nullable<BigInt>,
        external_id -> Text,
        status -> Text,
        /// JSON array of `LineItem`.
        line_items -> Text,
        total_cents -> BigInt,
        currency -> Text,
        recovery_url -> Nullable<Text>,
        last_activity_at -> Timestamp,
        abandon_due_at -> Timestamp,
        abandoned_at -> Nullable<Timestamp>,
        recovered_at -> Nullable<Timestamp>,
        order_id -> Nullable<BigInt>,
        closed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        store_id -> BigInt,
        contact_id -> Nullable<BigInt>,
        cart_id -> Nullable<BigInt>,
        external_id -> Text,
        number -> Nullable<Text>,
        status -> Text,
        platform_status -> Nullable<Text>,
        financial_status -> Nullable<Text>,
        fulfillment_status -> Nullable<Text>,
        /// JSON array of `LineItem`.
        line_items -> Text,
        total_cents -> BigInt,
        currency -> Text,
        shipping_region -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
        tracking_url -> Nullable<Text>,
        carrier -> Nullable<Text>,
        placed_at -> Timestamp,
        last_event_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        attributed_message_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    order_events (id) {
        id -> BigInt,
        store_id -> BigInt,
        order_id -> BigInt,
        event_type -> Text,
        status -> Text,
        occurred_at -> Timestamp,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    campaigns (id) {
        id -> BigInt,
        store_id -> BigInt,
        kind -> Text,
        name -> Text,
        status -> Text,
        /// JSON array of order statuses.
        order_statuses -> Text,
        activated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campaign_steps (id) {
        id -> BigInt,
        campaign_id -> BigInt,
        position -> Integer,
        delay_minutes -> Integer,
        body -> Text,
        discount_code -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        store_id -> BigInt,
        campaign_id -> Nullable<BigInt>,
        step_id -> Nullable<BigInt>,
        contact_id -> BigInt,
        cart_id -> Nullable<BigInt>,
        order_id -> Nullable<BigInt>,
        purpose -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        due_at -> Timestamp,
        attempts -> Integer,
        lease_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        message_id -> Nullable<BigInt>,
        dedupe_key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    short_links (id) {
        id -> BigInt,
        code -> Text,
        store_id -> BigInt,
        message_id -> BigInt,
        target_url -> Text,
        clicks -> Integer,
        first_clicked_at -> Nullable<Timestamp>,
        last_clicked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    canned_replies (id) {
        id -> BigInt,
        store_id -> BigInt,
        name -> Text,
        body -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    stats_hourly (store_id, hour, campaign_id) {
        store_id -> BigInt,
        hour -> Timestamp,
        /// 0: texts of no campaign, and store-wide figures.
        campaign_id -> BigInt,
        sent -> BigInt,
        delivered -> BigInt,
        failed -> BigInt,
        segments -> BigInt,
        clicks -> BigInt,
        replies -> BigInt,
        opt_outs -> BigInt,
        carts_abandoned -> BigInt,
        carts_recovered -> BigInt,
        orders -> BigInt,
    }
}

diesel::table! {
    stats_daily (store_id, day, campaign_id) {
        store_id -> BigInt,
        day -> Date,
        /// 0: texts of no campaign, and store-wide figures.
        campaign_id -> BigInt,
        /// The store's time zone when its hours were added up into days.
        time_zone -> Text,
        sent -> BigInt,
        delivered -> BigInt,
        failed -> BigInt,
        segments -> BigInt,
        clicks -> BigInt,
        replies -> BigInt,
        opt_outs -> BigInt,
        carts_abandoned -> BigInt,
        carts_recovered -> BigInt,
        orders -> BigInt,
    }
}

diesel::table! {
    /// The revenue of `stats_hourly`'s orders, one row per currency.
    stats_revenue_hourly (store_id, hour, campaign_id, currency) {
        store_id -> BigInt,
        hour -> Timestamp,
        campaign_id -> BigInt,
        currency -> Text,
        revenue_cents -> BigInt,
    }
}

diesel::table! {
    /// The revenue of `stats_daily`'s orders, one row per currency.
    stats_revenue_daily (store_id, day, campaign_id, currency) {
        store_id -> BigInt,
        day -> Date,
        campaign_id -> BigInt,
        currency -> Text,
        revenue_cents -> BigInt,
    }
}

diesel::table! {
    stats_rollup (id) {
        id -> Integer,
        rolled_until -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        store_id -> BigInt,
        idempotency_key -> Text,
        request_hash -> Text,
        response_status -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(phone_numbers -> stores (store_id));
diesel::joinable!(contacts -> stores (store_id));
diesel::joinable!(threads -> contacts (contact_id));
diesel::joinable!(messages -> threads (thread_id));
diesel::allow_tables_to_appear_in_same_query!(
    campaigns,
    campaign_steps,
    integrations,
    events,
    consent_events,
    carts,
    orders,
    order_events,
    stores,
    users,
    sessions,
    api_keys,
    phone_numbers,
    contacts,
    threads,
    messages,
    outbox,
    short_links,
    canned_replies,
    stats_hourly,
    stats_daily,
    stats_revenue_hourly,
    stats_revenue_daily,
    stats_rollup,
    idempotency_keys
);
