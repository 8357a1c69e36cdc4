//! The two migration folders must describe the same schema.

use std::collections::BTreeSet;
use std::path::Path;

use textback_tests::{TestApp, on_both_databases};

fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

on_both_databases!(every_schema_column_exists);

/// Selecting every column of every table fails if a migration forgot one.
async fn every_schema_column_exists(app: TestApp) {
    use chrono::NaiveDateTime as Time;
    use diesel::prelude::*;
    use textback_api::db as rows;
    use textback_api::db::schema::*;
    let mut conn = app.state.pool.get().unwrap();
    macro_rules! load_every_column {
        ($($table:ident => $row:ty),+ $(,)?) => {$(
            $table::table
                .select($table::all_columns)
                .load::<$row>(&mut conn)
                .unwrap_or_else(|e| panic!("{}: {e}", stringify!($table)));
        )+};
    }
    load_every_column!(
        stores => rows::stores::StoreRow,
        users => rows::users::UserRow,
        api_keys => rows::api_keys::ApiKeyRow,
        phone_numbers => rows::phone_numbers::PhoneNumberRow,
        contacts => rows::contacts::ContactRow,
        threads => rows::threads::ThreadRow,
        messages => rows::messages::MessageRow,
        carts => rows::carts::CartRow,
        orders => rows::orders::OrderRow,
        campaigns => rows::campaigns::CampaignRow,
        campaign_steps => rows::campaigns::StepRow,
        outbox => rows::outbox::OutboxRow,
        canned_replies => rows::canned_replies::CannedReplyRow,
        idempotency_keys => rows::idempotency_keys::IdempotencyKeyRow,
        stats_rollup => (i32, Time),
        // Tables without a row struct: every column, by type.
        events => (i64, i64, String, String, String, Time, String, String, Time),
        integrations => (i64, i64, String, String, Time, Time),
        sessions => (i64, i64, Time, Time, Option<Time>),
        consent_events => (i64, i64, i64, String, String, Time, Time, Option<i64>, Option<String>),
        order_events => (i64, i64, i64, String, String, Time, Option<String>),
        short_links => (i64, String, i64, i64, String, i32, Option<Time>, Option<Time>, Time),
        stats_hourly => (i64, Time, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64),
        stats_daily => (i64, chrono::NaiveDate, i64, String, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64),
    );
}
