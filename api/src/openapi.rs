//! The OpenAPI document: collected from the handlers' `#[utoipa::path]` annotations as they
//! are registered (see `app::with_api_routes`), then completed here with what every operation
//! shares: the problem responses and the security requirements.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, PartialSchema, ToSchema};

use textback_shared::Problem;

use crate::error::PROBLEM_JSON;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Textback API",
        description = "SMS for online stores: abandoned-cart reminders, order notifications and a two-way inbox.\n\n\
            Authenticate with `Authorization: Bearer <token>`, where the token is a session token from \
            `POST /api/v1/auth/login` or a store's API key (`tbk_…`). Errors are `application/problem+json` \
            (RFC 9457). Lists are `{\"items\": [...], \"next_cursor\": \"…\" | null}`; pass `next_cursor` back \
            as `?cursor=` for the next page.",
        license(name = "Proprietary")
    ),
    tags(
        (name = "auth", description = "Sign up and log in"),
        (name = "account", description = "The caller and their store"),
        (name = "api-keys", description = "Keys for integrations and store platforms"),
        (name = "numbers", description = "The store's SMS number: search, reserve, release; usage and charges"),
        (name = "events", description = "Cart, order and customer events from store platforms and integrations"),
        (name = "contacts", description = "Customers, their consent, carts and orders"),
        (name = "campaigns", description = "Abandoned-cart flows and order notifications"),
        (name = "stats", description = "Results: what texts achieved, over time and per campaign"),
        (name = "inbox", description = "Conversations with customers: threads, messages, the customer beside them, replies"),
        (name = "opt-outs", description = "Who must never be texted: list, add, export, resubscribe with evidence"),
        (name = "links", description = "Short links in campaign texts: redirect and count clicks"),
        (name = "integrations", description = "Store platforms' webhook secrets"),
        (name = "webhooks", description = "Callbacks from the SMS provider, signed with X-Twilio-Signature"),
        (name = "operations", description = "Health, readiness and metrics"),
    ),
    // The stream's events are not a response body the handlers could name.
    components(schemas(textback_shared::live::LiveEvent)),
    modifiers(&Conventions),
)]
pub struct ApiDoc;

/// Operations under /api/v1 that need no credential (everything outside /api/v1 has its own
/// protection: provider signatures, or nothing to protect).
const PUBLIC_API_OPERATIONS: [&str; 2] = ["signup", "login"];

struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A session token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tbk_…")
                    .description(Some("A store API key; its scopes limit what it may do"))
                    .build(),
            ),
        );
        components
            .schemas
            .insert(Problem::name().into_owned(), Problem::schema());
        components.responses.insert(
            "Problem".into(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "The request failed; `detail` says why and `errors` lists invalid fields.",
                    )
                    .content(
                        PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            ),
        );
    }
}

/// Adds to every operation the problem responses it can give and, unless public, the
/// credentials it accepts. Runs on the collected document, after the handlers registered.
pub fn complete(openapi: &mut OpenApi) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            let public = !path.starts_with("/api/v1/")
                || operation
                    .operation_id
                    .as_deref()
                    .is_some_and(|id| PUBLIC_API_OPERATIONS.contains(&id));
            let has_body = operation.request_body.is_some();
            let mut statuses = vec!["400", "404", "422", "503"];
            if !public {
                statuses.extend(["401", "403"]);
                operation.security = Some(vec![
                    SecurityRequirement::new("session", Vec::<String>::new()),
                    SecurityRequirement::new("api_key", Vec::<String>::new()),
                ]);
            }
            if has_body {
                statuses.extend(["413", "415"]);
            }
            add_problem_responses(operation, &statuses);
        }
    }
}

fn add_problem_responses(operation: &mut Operation, statuses: &[&str]) {
    for status in statuses {
        operation
            .responses
            .responses
            .entry((*status).to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Problem")));
    }
}
