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

/// What an event says about a customer, read once (phone normalised, email lower-cased).
#[derive(Debug, Clone)]
pub struct CustomerFacts {
    phone: Option<String>,
    phone_raw: Option<String>,
    textable: bool,
    not_textable_reason: Option<&'static str>,
    external_id: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

impl CustomerFacts {
    /// `None` when the customer gives nothing to know them by (no phone, id or email).
    pub fn read(customer: &CustomerInput) -> Option<Self> {
        let reading = non_empty(&customer.phone).and_then(|raw| read_phone(raw).ok());
        let (phone, textable, reason) = match reading {
            Some(PhoneReading::Textable(e164)) => (Some(e164), true, None),
            Some(PhoneReading::Foreign(e164)) => (Some(e164), false, Some(NOT_US_OR_CANADA)),
            None => (None, false, Some("No phone number.")),
        };
        let facts = Self {
            phone,
            phone_raw: non_empty(&customer.phone).map(str::to_owned),
            textable,
            not_textable_reason: reason,
            external_id: non_empty(&customer.id).map(str::to_owned),
            email: non_empty(&customer.email).map(str::to_lowercase),
            first_name: non_empty(&customer.first_name).map(str::to_owned),
            last_name: non_empty(&customer.last_name).map(str::to_owned),
        };
        (facts.phone.is_some() || facts.external_id.is_some() || facts.email.is_some())
            .then_some(facts)
    }

    pub fn details(&self) -> db::contacts::ContactDetails<'_> {
        db::contacts::ContactDetails {
            phone: self.phone.as_deref(),
            phone_raw: self.phone_raw.as_deref(),
            textable: self.textable,
            not_textable_reason: self.not_textable_reason,
            external_id: self.external_id.as_deref(),
            email: self.email.as_deref(),
            first_name: self.first_name.as_deref(),
            last_name: self.last_name.as_deref(),
        }
    }
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
    let Some(facts) = CustomerFacts::read(customer) else {
        return Ok(None);
    };
    let details = facts.details();
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
    if let Some(change) = consent_change(&contact, customer, occurred_at, Some(event_id)) {
        db::contacts::record_consent(conn, &change, now)?;
    }
    Ok(Some(contact.id))
}

const STAYS_OPTED_OUT: &str = "opted out earlier: stays opted out until the customer texts START";

/// The consent change the customer's `sms_consent` makes to the contact, if any: none when
/// it says nothing new or is older than what is known. Consent from a platform never lifts
/// an opt-out: only the customer can, by texting START.
pub fn consent_change<'a>(
    contact: &ContactRow,
    customer: &CustomerInput,
    occurred_at: NaiveDateTime,
    event_id: Option<i64>,
) -> Option<db::contacts::ConsentChange<'a>> {
    let consent = customer.sms_consent.as_ref()?;
    let status = consent.status;
    let source = consent.source.unwrap_or(ConsentSource::Api);
    let at = consent.collected_at.map_or(occurred_at, |t| t.naive_utc());
    let unchanged = contact.sms_consent == status.as_str()
        && contact.consent_source.as_deref() == Some(source.as_str());
    let older = contact.consent_at.is_some_and(|known| at < known);
    if unchanged || older {
        return None;
    }
    let note = contact
        .opted_out_at
        .filter(|_| status == ConsentStatus::Granted)
        .map(|_| STAYS_OPTED_OUT);
    Some(db::contacts::ConsentChange {
        store_id: contact.store_id,
        contact_id: contact.id,
        status: status.as_str(),
        source: source.as_str(),
        occurred_at: at,
        event_id,
        note,
    })
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
