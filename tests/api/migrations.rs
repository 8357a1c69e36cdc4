//! The two migration folders must describe the same schema.

use std::collections::BTreeSet;
use std::path::Path;

use textback_tests::{Backend, TestApp, on_both_databases};

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

on_both_databases!(
    every_schema_column_exists,
    revenue_keeps_its_amount_and_gets_its_currency_when_migrated,
);

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
        stats_hourly => (i64, Time, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64),
        stats_daily => (i64, chrono::NaiveDate, i64, String, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64),
        stats_revenue_hourly => (i64, Time, i64, String, i64),
        stats_revenue_daily => (i64, chrono::NaiveDate, i64, String, i64),
    );
}

/// Runs one of the migration's SQL files, as diesel's harness does.
fn run_migration_file(app: &TestApp, migration: &str, file: &str) {
    use diesel::connection::SimpleConnection;
    let backend = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend)
        .join(migration)
        .join(file);
    let sql = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut conn = app.state.pool.get().unwrap();
    conn.batch_execute(&sql)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

const REVENUE_BY_CURRENCY: &str = "2026-12-05-000020_revenue_by_currency";

/// Migration 20 on sums an earlier roll-up left: taken back (one revenue total of every
/// currency, and opt-outs counting a pasted list, as the old roll-up summed them) and applied
/// again. Each hour's revenue is kept, split by its orders' currencies; the next roll-up sums
/// all history again, as the current rules count it.
async fn revenue_keeps_its_amount_and_gets_its_currency_when_migrated(app: TestApp) {
    use diesel::prelude::*;
    use textback_api::db::schema::stats_revenue_hourly as revenue;

    let (owner, _) = crate::stats::canadian_store_with_a_us_dollar_order(&app).await;
    crate::stats::roll_up(&app);
    let week = "?from=2026-06-01&to=2026-06-07";
    let current = crate::stats::results(&app, &owner, week).await;
    assert_eq!(current["totals"]["revenue_recovered_cents"], 17_800);

    run_migration_file(&app, REVENUE_BY_CURRENCY, "down.sql");
    {
        #[derive(QueryableByName)]
        struct Total {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            cents: i64,
        }
        let mut conn = app.state.pool.get().unwrap();
        let mixed: Total = diesel::sql_query(
            "SELECT CAST(SUM(revenue_cents) AS BIGINT) AS cents FROM stats_hourly",
        )
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(mixed.cents, 20_000);
        diesel::sql_query("UPDATE stats_daily SET opt_outs = opt_outs + 3 WHERE campaign_id = 0")
            .execute(&mut conn)
            .unwrap();
        // The old roll-up has run since.
        textback_api::db::stats::set_rolled_until(&mut conn, textback_api::db::now()).unwrap();
    }
    run_migration_file(&app, REVENUE_BY_CURRENCY, "up.sql");

    let mut conn = app.state.pool.get().unwrap();
    let mut by_currency: Vec<(String, i64)> = revenue::table
        .select((revenue::currency, revenue::revenue_cents))
        .load(&mut conn)
        .unwrap();
    by_currency.sort();
    assert_eq!(
        by_currency,
        [("CAD".to_owned(), 17_800), ("USD".to_owned(), 2_200)]
    );
    drop(conn);
    // The days keep their revenue, in their currencies (SQLite, which knows no time zones, takes
    // a day with revenue in several as Eastern Standard Time's: 19:00 UTC is well inside it).
    let migrated = crate::stats::results(&app, &owner, week).await;
    let totals = &migrated["totals"];
    assert_eq!(totals["revenue_recovered_cents"], 17_800, "{totals}");
    assert_eq!(
        totals["revenue_other_currencies"],
        current["totals"]["revenue_other_currencies"]
    );
    assert_eq!(totals["opt_outs"], 3);

    crate::stats::roll_up(&app);
    assert_eq!(crate::stats::results(&app, &owner, week).await, current);
}
