//! Contacts: reading phone numbers, merging what events say about a customer, consent.

use chrono::NaiveDateTime;
use textback_shared::Page;
use textback_shared::events::{
    CartDto, ConsentEventDto, ConsentSource, ConsentStatus, ContactDetailDto, ContactDto,
    CustomerInput, LineItem, OrderDto, OrderTimelineEntry,
};
use textback_shared::phone::Phone;

use crate::db::{self, DbConn, carts::CartRow, contacts::ContactRow, orders::OrderRow};
use crate::error::{AppError, AppResult};
use crate::money::format_cents;
use crate::pagination::IdPage;

pub const NOT_US_OR_CANADA: &str = "Only US and Canadian numbers can be texted.";

/// A phone number as read from whatever a platform sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneReading {
    /// A US or Canadian number, in E.164.
    Textable(String),
    /// A valid number elsewhere, in E.164: kept, never texted.
    Foreign(String),
}

/// Reads a number written any usual way (`+1 (415) 555-0123`, `415.555.0123`, `+44 20…`);
/// numbers without a country code are taken as North American.
pub fn read_phone(raw: &str) -> Result<PhoneReading, &'static str> {
    if let Ok(phone) = Phone::parse(raw) {
        return Ok(PhoneReading::Textable(phone.as_str().to_owned()));
    }
    let parsed = phonenumber::parse(Some(phonenumber::country::Id::US), raw)
        .map_err(|_| "This is not a phone number.")?;
    if !phonenumber::is_valid(&parsed) {
        return Err("This is not a valid phone number.");
    }
    let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
    // libphonenumber knows new overlay area codes before our table does.
    let north_american = matches!(
        parsed.country().id(),
        Some(phonenumber::country::Id::US | phonenumber::country::Id::CA)
    );
    if north_american || Phone::parse(&e164).is_ok() {
        Ok(PhoneReading::Textable(e164))
    } else {
        Ok(PhoneReading::Foreign(e164))
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Finds or creates the store's contact for this customer and applies their consent;
/// `None` when the customer gives nothing to know them by.
pub fn upsert_from_customer(
    conn: &mut DbConn,
    store_id: i64,
    customer: &CustomerInput,
    occurred_at: NaiveDateTime,
    event_id: i64,
) -> AppResult<Option<i64>> {
    let reading = non_empty(&customer.phone).and_then(|raw| read_phone(raw).ok());
    let (phone, textable, reason) = match &reading {
        Some(PhoneReading::Textable(e164)) => (Some(e164.as_str()), true, None),
        Some(PhoneReading::Foreign(e164)) => (Some(e164.as_str()), false, Some(NOT_US_OR_CANADA)),
        None => (None, false, Some("No phone number.")),
    };
    let email = non_empty(&customer.email).map(str::to_lowercase);
    let details = db::contacts::ContactDetails {
        phone,
        phone_raw: non_empty(&customer.phone),
        textable,
        not_textable_reason: reason,
        external_id: non_empty(&customer.id),
        email: email.as_deref(),
        first_name: non_empty(&customer.first_name),
        last_name: non_empty(&customer.last_name),
    };
    if details.phone.is_none() && details.external_id.is_none() && details.email.is_none() {
        return Ok(None);
    }
    let now = db::now();
    let contact = match db::contacts::find_match(conn, store_id, &details)? {
        Some(found) => {
            db::contacts::merge(conn, &found, &details, now)?;
            found
        }
        None => match db::contacts::insert(conn, store_id, &details, now)? {
            Some(created) => created,
            // Another event created this customer a moment ago: use that contact.
            None => db::contacts::find_match(conn, store_id, &details)?.ok_or_else(|| {
                AppError::Unavailable("contact created concurrently; retry".into())
            })?,
        },
    };
    if let Some(consent) = &customer.sms_consent {
        let at = consent.collected_at.map_or(occurred_at, |t| t.naive_utc());
        let source = consent.source.unwrap_or(ConsentSource::Api);
        apply_consent(
            conn,
            &contact,
            consent.status,
            source,
            at,
            Some(event_id),
            now,
        )?;
    }
    Ok(Some(contact.id))
}

/// Records a consent change, unless it says nothing new or is older than what is known.
/// Consent from a platform never lifts an opt-out: only the customer can, by texting START.
fn apply_consent(
    conn: &mut DbConn,
    contact: &ContactRow,
    status: ConsentStatus,
    source: ConsentSource,
    at: NaiveDateTime,
    event_id: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<()> {
    let unchanged = contact.sms_consent == status.as_str()
        && contact.consent_source.as_deref() == Some(source.as_str());
    let older = contact.consent_at.is_some_and(|known| at < known);
    if unchanged || older {
        return Ok(());
    }
    let note = contact
        .opted_out_at
        .filter(|_| status == ConsentStatus::Granted)
        .map(|_| "opted out earlier: stays opted out until the customer texts START");
    let change = db::contacts::ConsentChange {
        store_id: contact.store_id,
        contact_id: contact.id,
        status: status.as_str(),
        source: source.as_str(),
        occurred_at: at,
        event_id,
        note,
    };
    db::contacts::record_consent(conn, &change, now)?;
    Ok(())
}

pub fn contact_dto(row: ContactRow) -> ContactDto {
    ContactDto {
        id: row.id,
        phone: row.phone,
        textable: row.textable,
        not_textable_reason: row.not_textable_reason,
        email: row.email,
        first_name: row.first_name,
        last_name: row.last_name,
        sms_consent: ConsentStatus::parse(&row.sms_consent).unwrap_or(ConsentStatus::Unknown),
        consent_source: row.consent_source,
        consent_at: row.consent_at.map(db::utc),
        opted_out_at: row.opted_out_at.map(db::utc),
        created_at: db::utc(row.created_at),
        updated_at: db::utc(row.updated_at),
    }
}

fn line_items(stored: &str) -> Vec<LineItem> {
    serde_json::from_str(stored).unwrap_or_default()
}

pub fn cart_dto(row: CartRow) -> CartDto {
    CartDto {
        id: row.id,
        line_items: line_items(&row.line_items),
        external_id: row.external_id,
        status: row.status,
        total: format_cents(row.total_cents * 10_000),
        currency: row.currency,
        recovery_url: row.recovery_url,
        last_activity_at: db::utc(row.last_activity_at),
        abandoned_at: row.abandoned_at.map(db::utc),
        recovered_at: row.recovered_at.map(db::utc),
        order_id: row.order_id,
    }
}

pub fn order_dto(row: OrderRow, timeline: Vec<OrderTimelineEntry>) -> OrderDto {
    OrderDto {
        id: row.id,
        line_items: line_items(&row.line_items),
        external_id: row.external_id,
        number: row.number,
        status: row.status,
        platform_status: row.platform_status,
        financial_status: row.financial_status,
        fulfillment_status: row.fulfillment_status,
        total: format_cents(row.total_cents * 10_000),
        currency: row.currency,
        shipping_region: row.shipping_region,
        tracking_number: row.tracking_number,
        tracking_url: row.tracking_url,
        carrier: row.carrier,
        cart_id: row.cart_id,
        placed_at: db::utc(row.placed_at),
        timeline,
    }
}

pub fn list(
    conn: &mut DbConn,
    store_id: i64,
    q: Option<&str>,
    page: IdPage,
) -> AppResult<Page<ContactDto>> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    let rows = db::contacts::list(conn, store_id, q, page.before_id, page.fetch_limit())?;
    Ok(page.finish(rows, |r| r.id, contact_dto))
}

pub fn detail(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<ContactDetailDto> {
    let contact =
        db::contacts::find(conn, store_id, id).map_err(|_| AppError::not_found("contact"))?;
    let consent_history = db::contacts::consent_history(conn, id)?
        .into_iter()
        .map(|row| ConsentEventDto {
            status: ConsentStatus::parse(&row.status).unwrap_or(ConsentStatus::Unknown),
            source: row.source,
            occurred_at: db::utc(row.occurred_at),
            note: row.note,
        })
        .collect();
    let carts = db::carts::of_contact(conn, store_id, id)?
        .into_iter()
        .map(cart_dto)
        .collect();
    let orders = db::orders::of_contact(conn, store_id, id)?;
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let entries = db::orders::timelines(conn, &ids)?;
    let orders = orders
        .into_iter()
        .map(|order| {
            let timeline = entries
                .iter()
                .filter(|(order_id, ..)| *order_id == order.id)
                .map(|(_, event_type, status, at)| OrderTimelineEntry {
                    event_type: event_type.clone(),
                    status: status.clone(),
                    occurred_at: db::utc(*at),
                })
                .collect();
            order_dto(order, timeline)
        })
        .collect();
    Ok(ContactDetailDto {
        contact: contact_dto(contact),
        consent_history,
        carts,
        orders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(
            read_phone("+1 (415) 555-0123"),
            Ok(PhoneReading::Textable("+14155550123".into()))
        );
        assert_eq!(
            read_phone("416-555-0199"),
            Ok(PhoneReading::Textable("+14165550199".into()))
        );
        assert_eq!(
            read_phone("+44 20 7946 0958"),
            Ok(PhoneReading::Foreign("+442079460958".into()))
        );
        assert!(read_phone("555-555-SHIP").is_err());
        assert!(read_phone("12").is_err());
        assert_eq!(
            read_phone("(718) 555-0142"),
            Ok(PhoneReading::Textable("+17185550142".into()))
        );
        assert_eq!(
            read_phone("+1 876 555 0142"),
            Ok(PhoneReading::Foreign("+18765550142".into())),
            "Jamaica shares +1"
        );
    }
}
