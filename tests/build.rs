//! Compiles the PostgreSQL variant of every integration test in (rather than ignored) when
//! `TEST_DATABASE_URL` is set, so a run without PostgreSQL says so instead of passing silently.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(textback_pg)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=textback_pg");
    }
}
