//! The server's memory allocator. It lives in the library, not in `main.rs`, so that the
//! benchmark's programs built on it (`examples/`) measure with the allocator the server runs.

/// jemalloc instead of glibc's malloc: rendering a page makes thousands of small, short-lived
/// allocations from both worker threads, and glibc spent about a fifth of the server's CPU on
/// them (README, "Benchmarks"). Freed memory goes back to the OS within a second, on a
/// background thread, so a burst of 19 MiB argon2 blocks does not stay resident.
#[cfg(all(target_os = "linux", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read once at its start (jemalloc's `malloc_conf` under the `_rjem_`
/// prefix of tikv-jemallocator; `_RJEM_MALLOC_CONF` in the environment overrides them, and
/// `_RJEM_MALLOC_CONF=stats_print:true` shows them at exit). Two arenas suit the 2-core
/// machines the budgets are measured on and keep resident memory low; on a bigger machine
/// give it one per core, e.g. `_RJEM_MALLOC_CONF=narenas:8`.
#[cfg(all(target_os = "linux", not(target_env = "msvc")))]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8] =
    b"narenas:2,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";
