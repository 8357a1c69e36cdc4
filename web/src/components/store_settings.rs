pub mod location_fields;
pub mod marketing_limits;
