//! The one schema for both backends: portable types only (`BigInt`, `Text`, `Timestamp` in UTC).
//! Both `migrations/sqlite` and `migrations/postgres` must produce exactly these tables.

diesel::table! {
    stores (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
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
diesel::allow_tables_to_appear_in_same_query!(stores, users, api_keys);
