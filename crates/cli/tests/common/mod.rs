//! What every test of the `pixelproof` binary needs: its fixtures, a run, and
//! a packet from a run that must succeed.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pixelproof"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs the binary and fails the test unless it exits 0: output from a run
/// that failed proves nothing.
pub fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The JSON packet of a run that must succeed.
pub fn packet(args: &[&str]) -> Value {
    serde_json::from_slice(&run_ok(args).stdout).expect("stdout is JSON")
}
