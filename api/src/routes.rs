//! HTTP handlers, one file per resource: parse, authorize (via `Caller<scope>`), call a
//! service inside `db::run`, respond. No workflow logic lives here.

pub mod api_keys;
pub mod auth;
pub mod campaigns;
pub mod canned_replies;
pub mod contacts;
pub mod events;
pub mod fallback;
pub mod integrations;
pub mod links;
pub mod me;
pub mod numbers;
pub mod ops;
pub mod opt_outs;
pub mod platform_webhooks;
pub mod stats;
pub mod store;
pub mod stream;
pub mod threads;
pub mod usage;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api/v1`.
pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(auth::signup)
        .service(auth::login)
        .service(auth::logout)
        .service(auth::change_password)
        .service(me::me)
        .service(api_keys::create_api_key)
        .service(api_keys::list_api_keys)
        .service(api_keys::revoke_api_key)
        .service(store::get_store)
        .service(store::update_store)
        .service(numbers::search_available_numbers)
        .service(numbers::reserve_number)
        .service(numbers::list_numbers)
        .service(numbers::release_number)
        .service(usage::get_usage)
        .service(stats::get_stats)
        .service(events::post_event)
        .service(events::post_event_batch)
        .service(contacts::list_contacts)
        .service(contacts::get_contact)
        .service(integrations::save_integration)
        .service(campaigns::list_campaigns)
        .service(campaigns::create_campaign)
        .service(campaigns::get_campaign)
        .service(campaigns::update_campaign)
        .service(campaigns::delete_campaign)
        .service(campaigns::activate_campaign)
        .service(campaigns::pause_campaign)
        .service(campaigns::get_campaign_stats)
        .service(stream::create_stream_ticket)
        .service(stream::open_stream)
        .service(threads::list_threads)
        .service(threads::get_thread)
        .service(threads::list_thread_messages)
        .service(threads::get_thread_context)
        .service(threads::reply_to_thread)
        .service(threads::mark_thread_read)
        .service(threads::mark_thread_unread)
        .service(threads::unsubscribe_thread)
        .service(threads::close_thread)
        .service(threads::reopen_thread)
        .service(opt_outs::list_opt_outs)
        .service(opt_outs::export_opt_outs)
        .service(opt_outs::add_opt_outs)
        .service(opt_outs::resubscribe)
        .service(canned_replies::list_canned_replies)
        .service(canned_replies::create_canned_reply)
        .service(canned_replies::update_canned_reply)
        .service(canned_replies::delete_canned_reply)
        .service(canned_replies::render_canned_reply);
}

/// Operations endpoints and provider webhooks, at the root.
pub fn configure_root(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(webhooks::twilio_inbound_sms)
        .service(webhooks::twilio_status_callback)
        .service(platform_webhooks::shopify_webhook)
        .service(platform_webhooks::woocommerce_webhook)
        .service(links::follow_short_link);
}
