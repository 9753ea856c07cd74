// The migrations are embedded by `sqlx::migrate!`, which cannot tell cargo to watch them:
// rebuild when any of them changes or a new one is added.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
