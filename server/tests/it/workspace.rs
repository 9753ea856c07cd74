//! Facts about the workspace itself that a newcomer relies on.

use std::process::Command;

/// "1.89" and "1.89.0" are the same version.
fn version(text: &str) -> [u32; 3] {
    let mut parts = text.split('.').map(|p| p.parse().unwrap_or(0));
    [0; 3].map(|_| parts.next().unwrap_or(0))
}

/// `rust-version` is what a newcomer checks their toolchain against: it must be at least what
/// every locked dependency declares, or the build fails on a toolchain it claims to support.
/// Not `--offline`: metadata covers every platform's dependencies, and a build downloads only
/// its own platform's.
#[test]
fn the_declared_rust_version_is_the_real_minimum() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let declared = packages
        .iter()
        .find(|p| p["name"] == "server")
        .and_then(|p| p["rust_version"].as_str())
        .map(version)
        .expect("the workspace declares rust-version");
    let (needed, by) = packages
        .iter()
        .filter_map(|p| Some((version(p["rust_version"].as_str()?), p["name"].as_str()?)))
        .max()
        .unwrap();
    assert!(
        declared >= needed,
        "rust-version {declared:?} is below {by}'s {needed:?}"
    );
}
