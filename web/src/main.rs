//! The Textback web app: a client-side rendered leptos SPA served by the API server.

mod api;
mod app;
mod components;
mod contexts;
mod format;
mod navigation;
mod pages;
mod tasks;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
