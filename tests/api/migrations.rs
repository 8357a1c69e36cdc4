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
    use diesel::prelude::*;
    use textback_api::db::schema::*;
    let mut conn = app.state.pool.get().unwrap();
    stores::table
        .select(stores::all_columns)
        .load::<textback_api::db::stores::StoreRow>(&mut conn)
        .unwrap();
    users::table
        .select(users::all_columns)
        .load::<textback_api::db::users::UserRow>(&mut conn)
        .unwrap();
    api_keys::table
        .select(api_keys::all_columns)
        .load::<textback_api::db::api_keys::ApiKeyRow>(&mut conn)
        .unwrap();
    use textback_api::db as rows;
    phone_numbers::table
        .select(phone_numbers::all_columns)
        .load::<rows::phone_numbers::PhoneNumberRow>(&mut conn)
        .unwrap();
    contacts::table
        .select(contacts::all_columns)
        .load::<rows::contacts::ContactRow>(&mut conn)
        .unwrap();
    threads::table
        .select(threads::all_columns)
        .load::<rows::threads::ThreadRow>(&mut conn)
        .unwrap();
    messages::table
        .select(messages::all_columns)
        .load::<rows::messages::MessageRow>(&mut conn)
        .unwrap();
    campaigns::table
        .select(campaigns::all_columns)
        .load::<rows::campaigns::CampaignRow>(&mut conn)
        .unwrap();
    campaign_steps::table
        .select(campaign_steps::all_columns)
        .load::<rows::campaigns::StepRow>(&mut conn)
        .unwrap();
    carts::table
        .select(carts::all_columns)
        .load::<rows::carts::CartRow>(&mut conn)
        .unwrap();
    orders::table
        .select(orders::all_columns)
        .load::<rows::orders::OrderRow>(&mut conn)
        .unwrap();
    // Tables without a row struct: every column, by type.
    events::table
        .select(events::all_columns)
        .load::<(
            i64,
            i64,
            String,
            String,
            String,
            chrono::NaiveDateTime,
            String,
            String,
            chrono::NaiveDateTime,
        )>(&mut conn)
        .unwrap();
    integrations::table
        .select(integrations::all_columns)
        .load::<(
            i64,
            i64,
            String,
            String,
            chrono::NaiveDateTime,
            chrono::NaiveDateTime,
        )>(&mut conn)
        .unwrap();
    consent_events::table
        .select(consent_events::all_columns)
        .load::<(
            i64,
            i64,
            i64,
            String,
            String,
            chrono::NaiveDateTime,
            chrono::NaiveDateTime,
            Option<i64>,
            Option<String>,
        )>(&mut conn)
        .unwrap();
    order_events::table
        .select(order_events::all_columns)
        .load::<(
            i64,
            i64,
            i64,
            String,
            String,
            chrono::NaiveDateTime,
            Option<String>,
        )>(&mut conn)
        .unwrap();
}
