use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::DbConn;
use super::schema::contacts;

pub const CONSENT_UNKNOWN: &str = "unknown";

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: i64,
    pub store_id: i64,
    pub phone: Option<String>,
    pub phone_raw: Option<String>,
    pub textable: bool,
    pub not_textable_reason: Option<String>,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub sms_consent: String,
    pub consent_source: Option<String>,
    pub consent_at: Option<NaiveDateTime>,
    pub opted_out_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a list of threads shows of each contact.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ContactSummary {
    pub id: i64,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub opted_out_at: Option<NaiveDateTime>,
}

impl From<ContactRow> for ContactSummary {
    fn from(c: ContactRow) -> Self {
        Self {
            id: c.id,
            phone: c.phone,
            first_name: c.first_name,
            last_name: c.last_name,
            opted_out_at: c.opted_out_at,
        }
    }
}

/// The store's contact with this (valid US/Canadian, E.164) number, created (consent
/// unknown) if new.
pub fn find_or_create_by_phone(
    conn: &mut DbConn,
    store_id: i64,
    phone: &str,
    now: NaiveDateTime,
) -> QueryResult<ContactRow> {
    let existing = contacts::table
        .filter(contacts::store_id.eq(store_id))
        .filter(contacts::phone.eq(phone))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(contact) = existing {
        return Ok(contact);
    }
    diesel::insert_into(contacts::table)
        .values((
            contacts::store_id.eq(store_id),
            contacts::phone.eq(phone),
            contacts::phone_raw.eq(phone),
            contacts::textable.eq(true),
            contacts::sms_consent.eq(CONSENT_UNKNOWN),
            contacts::created_at.eq(now),
            contacts::updated_at.eq(now),
        ))
        .returning(contacts::all_columns)
        .get_result(conn)
}

/// The store's contacts with these (valid US/Canadian, E.164, distinct) numbers, one per
/// number, those not known yet created (consent unknown).
pub fn find_or_create_by_phones(
    conn: &mut DbConn,
    store_id: i64,
    phones: &[&str],
    now: NaiveDateTime,
) -> QueryResult<Vec<ContactRow>> {
    let mut contacts = with_phones(conn, store_id, phones)?;
    let known: HashSet<&str> = contacts.iter().filter_map(|c| c.phone.as_deref()).collect();
    let missing: Vec<ContactDetails<'_>> = phones
        .iter()
        .filter(|phone| !known.contains(*phone))
        .map(|&phone| ContactDetails {
            phone: Some(phone),
            phone_raw: Some(phone),
            textable: true,
            not_textable_reason: None,
            external_id: None,
            email: None,
            first_name: None,
            last_name: None,
        })
        .collect();
    let created = insert_many(conn, store_id, &missing, now)?;
    if created.len() < missing.len() {
        // Another transaction has just created some of them: read those back.
        let new: HashSet<&str> = created.iter().filter_map(|c| c.phone.as_deref()).collect();
        let taken: Vec<&str> = missing
            .iter()
            .filter_map(|d| d.phone)
            .filter(|phone| !new.contains(phone))
            .collect();
        contacts.extend(with_phones(conn, store_id, &taken)?);
    }
    contacts.extend(created);
    Ok(contacts)
}

fn with_phones(conn: &mut DbConn, store_id: i64, phones: &[&str]) -> QueryResult<Vec<ContactRow>> {
    let mut found = Vec::new();
    for chunk in phones.chunks(super::IDS_PER_STATEMENT) {
        found.extend(matching(conn, store_id, MatchOn::Phone, chunk)?);
    }
    Ok(found)
}

/// A contact's details as an event gives them; `None` keeps what is known.
#[derive(Debug, Clone)]
pub struct ContactDetails<'a> {
    pub phone: Option<&'a str>,
    pub phone_raw: Option<&'a str>,
    pub textable: bool,
    pub not_textable_reason: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub email: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
}

/// The store's contact matching, in this order, the phone, the platform's id, or the email.
pub fn find_match(
    conn: &mut DbConn,
    store_id: i64,
    details: &ContactDetails<'_>,
) -> QueryResult<Option<ContactRow>> {
    let base = || {
        contacts::table
            .filter(contacts::store_id.eq(store_id))
            .select(ContactRow::as_select())
    };
    if let Some(phone) = details.phone
        && let Some(found) = base()
            .filter(contacts::phone.eq(phone))
            .first(conn)
            .optional()?
    {
        return Ok(Some(found));
    }
    if let Some(external_id) = details.external_id
        && let Some(found) = base()
            .filter(contacts::external_id.eq(external_id))
            .order(contacts::id)
            .first(conn)
            .optional()?
    {
        return Ok(Some(found));
    }
    match details.email {
        Some(email) => base()
            .filter(contacts::email.eq(email))
            .order(contacts::id)
            .first(conn)
            .optional(),
        None => Ok(None),
    }
}

/// `None` when the contact already exists (a concurrent event created it first).
pub fn insert(
    conn: &mut DbConn,
    store_id: i64,
    d: &ContactDetails<'_>,
    now: NaiveDateTime,
) -> QueryResult<Option<ContactRow>> {
    let insert = diesel::insert_into(contacts::table)
        .values((
            contacts::store_id.eq(store_id),
            contacts::phone.eq(d.phone),
            contacts::phone_raw.eq(d.phone_raw),
            contacts::textable.eq(d.textable),
            contacts::not_textable_reason.eq(d.not_textable_reason),
            contacts::external_id.eq(d.external_id),
            contacts::email.eq(d.email),
            contacts::first_name.eq(d.first_name),
            contacts::last_name.eq(d.last_name),
            contacts::sms_consent.eq(CONSENT_UNKNOWN),
            contacts::created_at.eq(now),
            contacts::updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .returning(contacts::all_columns);
    super::per_backend!(conn, |c| insert.get_result(c).optional())
}

/// A contact's details after an event's are merged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedDetails {
    pub phone: Option<String>,
    pub phone_raw: Option<String>,
    pub textable: bool,
    pub not_textable_reason: Option<String>,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// What the contact becomes with what the event knows; `None` when nothing changes. A phone
/// is only filled in, never replaced by another, so a thread never silently changes number.
pub fn merged(row: &ContactRow, d: &ContactDetails<'_>) -> Option<MergedDetails> {
    let pick =
        |new: Option<&str>, old: &Option<String>| new.map(str::to_owned).or_else(|| old.clone());
    let (phone, phone_raw, textable, not_textable_reason) =
        if row.phone.is_none() && d.phone.is_some() {
            (
                d.phone.map(str::to_owned),
                d.phone_raw.map(str::to_owned),
                d.textable,
                d.not_textable_reason.map(str::to_owned),
            )
        } else {
            (
                row.phone.clone(),
                row.phone_raw.clone(),
                row.textable,
                row.not_textable_reason.clone(),
            )
        };
    let merged = MergedDetails {
        phone,
        phone_raw,
        textable,
        not_textable_reason,
        external_id: pick(d.external_id, &row.external_id),
        email: pick(d.email, &row.email),
        first_name: pick(d.first_name, &row.first_name),
        last_name: pick(d.last_name, &row.last_name),
    };
    // Most events repeat what is known; skipping the write saves a round trip and a lock.
    let unchanged = (
        &merged.phone,
        &merged.external_id,
        &merged.email,
        &merged.first_name,
        &merged.last_name,
    ) == (
        &row.phone,
        &row.external_id,
        &row.email,
        &row.first_name,
        &row.last_name,
    );
    (!unchanged).then_some(merged)
}

/// Merges what the event knows into the contact (see `merged`).
pub fn merge(
    conn: &mut DbConn,
    row: &ContactRow,
    d: &ContactDetails<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let Some(m) = merged(row, d) else {
        return Ok(());
    };
    diesel::update(contacts::table.find(row.id))
        .set((
            contacts::phone.eq(m.phone),
            contacts::phone_raw.eq(m.phone_raw),
            contacts::textable.eq(m.textable),
            contacts::not_textable_reason.eq(m.not_textable_reason),
            contacts::external_id.eq(m.external_id),
            contacts::email.eq(m.email),
            contacts::first_name.eq(m.first_name),
            contacts::last_name.eq(m.last_name),
            contacts::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// `merge` for many contacts at once: (contact id, its merged details).
pub fn merge_many(
    conn: &mut DbConn,
    merges: &[(i64, MergedDetails)],
    now: NaiveDateTime,
) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamp};
    for chunk in merges.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE contacts SET phone = v.column2, phone_raw = v.column3, textable = v.column4, \
             not_textable_reason = v.column5, external_id = v.column6, email = v.column7, \
             first_name = v.column8, last_name = v.column9, updated_at = $1 \
             FROM (VALUES {}) AS v WHERE contacts.id = v.column1",
            super::value_rows(chunk.len(), 9, 2, "")
        );
        let sql = super::numbered(conn, sql);
        super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql)
                .into_boxed()
                .bind::<Timestamp, _>(now);
            for (id, m) in chunk {
                query = query
                    .bind::<BigInt, _>(*id)
                    .bind::<Nullable<Text>, _>(m.phone.as_deref())
                    .bind::<Nullable<Text>, _>(m.phone_raw.as_deref())
                    .bind::<Bool, _>(m.textable)
                    .bind::<Nullable<Text>, _>(m.not_textable_reason.as_deref())
                    .bind::<Nullable<Text>, _>(m.external_id.as_deref())
                    .bind::<Nullable<Text>, _>(m.email.as_deref())
                    .bind::<Nullable<Text>, _>(m.first_name.as_deref())
                    .bind::<Nullable<Text>, _>(m.last_name.as_deref());
            }
            query.execute(c)
        })?;
    }
    Ok(())
}

/// Which of a contact's keys `matching` looks up.
#[derive(Debug, Clone, Copy)]
pub enum MatchOn {
    Phone,
    ExternalId,
    Email,
}

/// The store's contacts whose phone, platform id or email is one of `values` (what
/// `find_match` looks for, for many customers at once). One key per query, so each uses
/// its index: SQLite scans the store's contacts for an `OR` of several.
pub fn matching(
    conn: &mut DbConn,
    store_id: i64,
    on: MatchOn,
    values: &[&str],
) -> QueryResult<Vec<ContactRow>> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let query = contacts::table
        .filter(contacts::store_id.eq(store_id))
        .select(ContactRow::as_select());
    match on {
        MatchOn::Phone => query.filter(contacts::phone.eq_any(values)).load(conn),
        MatchOn::ExternalId => query
            .filter(contacts::external_id.eq_any(values))
            .load(conn),
        MatchOn::Email => query.filter(contacts::email.eq_any(values)).load(conn),
    }
}

/// `insert` for many contacts at once; returns those created (a contact whose phone another
/// transaction has just taken is not among them).
pub fn insert_many(
    conn: &mut DbConn,
    store_id: i64,
    new: &[ContactDetails<'_>],
    now: NaiveDateTime,
) -> QueryResult<Vec<ContactRow>> {
    use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamp};
    let mut created = Vec::with_capacity(new.len());
    for chunk in new.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO contacts (phone, phone_raw, textable, not_textable_reason, external_id, \
             email, first_name, last_name, store_id, sms_consent, created_at, updated_at) \
             VALUES {} ON CONFLICT DO NOTHING RETURNING *",
            super::value_rows(chunk.len(), 12, 1, "")
        );
        let sql = super::numbered(conn, sql);
        let rows: Vec<ContactRow> = super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for d in chunk {
                query = query
                    .bind::<Nullable<Text>, _>(d.phone)
                    .bind::<Nullable<Text>, _>(d.phone_raw)
                    .bind::<Bool, _>(d.textable)
                    .bind::<Nullable<Text>, _>(d.not_textable_reason)
                    .bind::<Nullable<Text>, _>(d.external_id)
                    .bind::<Nullable<Text>, _>(d.email)
                    .bind::<Nullable<Text>, _>(d.first_name)
                    .bind::<Nullable<Text>, _>(d.last_name)
                    .bind::<BigInt, _>(store_id)
                    .bind::<Text, _>(CONSENT_UNKNOWN)
                    .bind::<Timestamp, _>(now)
                    .bind::<Timestamp, _>(now);
            }
            query.load(c)
        })?;
        created.extend(rows);
    }
    Ok(created)
}

pub struct ConsentChange<'a> {
    pub store_id: i64,
    pub contact_id: i64,
    pub status: &'a str,
    pub source: &'a str,
    pub occurred_at: NaiveDateTime,
    pub event_id: Option<i64>,
    pub note: Option<&'a str>,
}

/// Sets the contact's consent and appends the audit row (the audit is never edited).
pub fn record_consent(
    conn: &mut DbConn,
    change: &ConsentChange<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    use super::schema::consent_events;
    diesel::update(contacts::table.find(change.contact_id))
        .set((
            contacts::sms_consent.eq(change.status),
            contacts::consent_source.eq(change.source),
            contacts::consent_at.eq(change.occurred_at),
            contacts::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::insert_into(consent_events::table)
        .values((
            consent_events::store_id.eq(change.store_id),
            consent_events::contact_id.eq(change.contact_id),
            consent_events::status.eq(change.status),
            consent_events::source.eq(change.source),
            consent_events::occurred_at.eq(change.occurred_at),
            consent_events::recorded_at.eq(now),
            consent_events::event_id.eq(change.event_id),
            consent_events::note.eq(change.note),
        ))
        .execute(conn)
        .map(drop)
}

/// `record_consent` for many contacts at once (each contact at most once).
pub fn record_consent_many(
    conn: &mut DbConn,
    changes: &[ConsentChange<'_>],
    now: NaiveDateTime,
) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    for chunk in changes.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE contacts SET sms_consent = v.column2, consent_source = v.column3, \
             consent_at = v.column4, updated_at = $1 \
             FROM (VALUES {}) AS v WHERE contacts.id = v.column1",
            super::value_rows(chunk.len(), 4, 2, "")
        );
        let sql = super::numbered(conn, sql);
        super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql)
                .into_boxed()
                .bind::<Timestamp, _>(now);
            for change in chunk {
                query = query
                    .bind::<BigInt, _>(change.contact_id)
                    .bind::<Text, _>(change.status)
                    .bind::<Text, _>(change.source)
                    .bind::<Timestamp, _>(change.occurred_at);
            }
            query.execute(c)
        })?;
        let sql = format!(
            "INSERT INTO consent_events (store_id, contact_id, status, source, occurred_at, \
             event_id, note, recorded_at) VALUES {}",
            super::value_rows(chunk.len(), 8, 1, "")
        );
        let sql = super::numbered(conn, sql);
        super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for change in chunk {
                query = query
                    .bind::<BigInt, _>(change.store_id)
                    .bind::<BigInt, _>(change.contact_id)
                    .bind::<Text, _>(change.status)
                    .bind::<Text, _>(change.source)
                    .bind::<Timestamp, _>(change.occurred_at)
                    .bind::<Nullable<BigInt>, _>(change.event_id)
                    .bind::<Nullable<Text>, _>(change.note)
                    .bind::<Timestamp, _>(now);
            }
            query.execute(c)
        })?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct ConsentEventRow {
    pub status: String,
    pub source: String,
    pub occurred_at: NaiveDateTime,
    pub note: Option<String>,
}

/// The consent audit trail, oldest first.
pub fn consent_history(conn: &mut DbConn, contact_id: i64) -> QueryResult<Vec<ConsentEventRow>> {
    use super::schema::consent_events;
    consent_events::table
        .filter(consent_events::contact_id.eq(contact_id))
        .order(consent_events::id)
        .select((
            consent_events::status,
            consent_events::source,
            consent_events::occurred_at,
            consent_events::note,
        ))
        .load(conn)
}

pub fn find(conn: &mut DbConn, store_id: i64, id: i64) -> QueryResult<ContactRow> {
    contacts::table
        .filter(contacts::store_id.eq(store_id))
        .filter(contacts::id.eq(id))
        .select(ContactRow::as_select())
        .first(conn)
}

/// The contact as it is now, locked until the transaction ends (on SQLite the write
/// transaction holds the one write lock already): a consent change decided on it cannot
/// race another delivery's.
pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<ContactRow> {
    let contact = contacts::table.find(id);
    match conn {
        DbConn::Postgres(c) => contact
            .select(ContactRow::as_select())
            .for_update()
            .first(c),
        DbConn::Sqlite(c) => contact.select(ContactRow::as_select()).first(c),
    }
}

/// Newest first; `q` matches phone, email or name (case-insensitively).
pub fn list(
    conn: &mut DbConn,
    store_id: i64,
    q: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ContactRow>> {
    let mut query = contacts::table
        .filter(contacts::store_id.eq(store_id))
        .select(ContactRow::as_select())
        .order(contacts::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before_id {
        query = query.filter(contacts::id.lt(before));
    }
    if let Some(q) = q {
        query = query.filter(matches(q));
    }
    query.load(conn)
}

/// Whether the contact's phone, email or name contains `q` (any case), as a condition on a
/// query of `contacts` alone (the columns are not qualified, so the table may be aliased). A
/// condition rather than a list of ids: a list can exceed SQLite's limit on bound values in a
/// large store. The name is the full name, either way round, so `Ada Lovelace` (spaced any
/// way) and `Lovelace Ada` find her as `Ada` and `Lovelace` do.
pub fn matches(q: &str) -> Matches {
    let words = q.split_whitespace().collect::<Vec<_>>().join(" ");
    let escaped = words
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let lower = |c| sql::<Text>(&format!("LOWER({c})"));
    // A number is found however it is written: `(415) 555-0124` matches `+14155550124`.
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone_pattern = if digits.len() >= 3 {
        format!("%{digits}%")
    } else {
        pattern.clone()
    };
    let first_last = "COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')";
    let last_first = "COALESCE(last_name, '') || ' ' || COALESCE(first_name, '')";
    lower("COALESCE(phone, '')")
        .like(phone_pattern)
        .escape('\\')
        .or(lower("COALESCE(email, '')")
            .like(pattern.clone())
            .escape('\\'))
        .or(lower(first_last).like(pattern.clone()).escape('\\'))
        .or(lower(last_first).like(pattern).escape('\\'))
}

type Contains = diesel::dsl::Escape<diesel::dsl::Like<SqlLiteral<Text>, String>>;
/// The condition `matches` builds.
pub type Matches =
    diesel::dsl::Or<diesel::dsl::Or<diesel::dsl::Or<Contains, Contains>, Contains>, Contains>;

pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<ContactRow>> {
    contacts::table
        .filter(contacts::id.eq_any(ids))
        .select(ContactRow::as_select())
        .load(conn)
}

/// The contacts asked for no more texts: nothing is sent to them from now on.
pub fn mark_opted_out_all(conn: &mut DbConn, ids: &[i64], at: NaiveDateTime) -> QueryResult<()> {
    for chunk in ids.chunks(super::IDS_PER_STATEMENT) {
        diesel::update(
            contacts::table
                .filter(contacts::id.eq_any(chunk))
                .filter(contacts::opted_out_at.is_null()),
        )
        .set((contacts::opted_out_at.eq(at), contacts::updated_at.eq(at)))
        .execute(conn)?;
    }
    Ok(())
}

/// The contact texted START after opting out: texts may go to them again.
pub fn clear_opt_out(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(contacts::table.find(id))
        .set((
            contacts::opted_out_at.eq(None::<NaiveDateTime>),
            contacts::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// A page of the store's opted-out contacts, most recent opt-out first, after the keyset
/// position (opted_out_at, id).
pub fn opted_out(
    conn: &mut DbConn,
    store_id: i64,
    q: Option<&str>,
    after: Option<(NaiveDateTime, i64)>,
    limit: i64,
) -> QueryResult<Vec<ContactRow>> {
    let mut query = contacts::table
        .filter(contacts::store_id.eq(store_id))
        .filter(contacts::opted_out_at.is_not_null())
        .select(ContactRow::as_select())
        .order((contacts::opted_out_at.desc(), contacts::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(q) = q {
        query = query.filter(matches(q));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            contacts::opted_out_at
                .lt(at)
                .or(contacts::opted_out_at.eq(at).and(contacts::id.lt(id))),
        );
    }
    query.load(conn)
}

/// Each contact's latest opt-out audit row: (contact_id, source, note); a contact's rows
/// come in the order they were written.
pub fn last_opt_outs(
    conn: &mut DbConn,
    contact_ids: &[i64],
) -> QueryResult<Vec<(i64, String, Option<String>)>> {
    use super::schema::consent_events;
    let mut rows = Vec::new();
    for ids in contact_ids.chunks(super::IDS_PER_STATEMENT) {
        rows.extend(
            consent_events::table
                .filter(consent_events::contact_id.eq_any(ids))
                .filter(consent_events::status.eq("denied"))
                .order(consent_events::id)
                .select((
                    consent_events::contact_id,
                    consent_events::source,
                    consent_events::note,
                ))
                .load::<(i64, String, Option<String>)>(conn)?,
        );
    }
    Ok(rows)
}

/// The store's contact with this (E.164) number, if there is one.
pub fn find_by_phone(
    conn: &mut DbConn,
    store_id: i64,
    phone: &str,
) -> QueryResult<Option<ContactRow>> {
    contacts::table
        .filter(contacts::store_id.eq(store_id))
        .filter(contacts::phone.eq(phone))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()
}
