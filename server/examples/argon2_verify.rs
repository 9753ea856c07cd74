//! Times one argon2id verification with the product's parameters (used by `.ci/bench`).

use std::time::Instant;

use app::password::PasswordHasher;
// Linked for its allocator (server/src/allocator.rs): hashing costs what it costs the server.
use server as _;

#[tokio::main]
async fn main() {
    let hasher = PasswordHasher::new(1, 0).expect("hashing thread");
    let hash = hasher
        .hash("violet tractor wanders quietly".into())
        .await
        .expect("hash");
    let mut times = Vec::new();
    for _ in 0..15 {
        let start = Instant::now();
        let ok = hasher
            .verify("violet tractor wanders quietly".into(), hash.clone())
            .await
            .expect("verify");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert!(ok);
    }
    times.sort_by(f64::total_cmp);
    println!("{:.1}", times[times.len() / 2]);
}
