//! Writes the loop bound shared by every strategy, `ITERATIONS`, to
//! `$OUT_DIR/iterations.rs` as a compile-time constant. benchlab passes it
//! as the build-time parameter `iterations` (BENCHLAB_PARAM_ITERATIONS);
//! without it the bound is the post's 250M. Cargo reruns this script, and
//! rebuilds the binaries, whenever the variable changes.

use std::{env, fs, path::Path};

const DEFAULT: u64 = 250_000_000;

fn main() {
    println!("cargo:rerun-if-env-changed=BENCHLAB_PARAM_ITERATIONS");
    println!("cargo:rerun-if-changed=build.rs");
    let iterations = match env::var("BENCHLAB_PARAM_ITERATIONS") {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse::<u64>()
            .unwrap_or_else(|e| panic!("BENCHLAB_PARAM_ITERATIONS={v:?}: want a count of calls: {e}")),
        Err(env::VarError::NotPresent) => DEFAULT,
        Err(e) => panic!("BENCHLAB_PARAM_ITERATIONS: {e}"),
    };
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("iterations.rs");
    let code = format!("/// Calls made by every strategy (build-time parameter `iterations`).\npub const ITERATIONS: u64 = {iterations};\n");
    fs::write(&out, code).unwrap_or_else(|e| panic!("write {}: {e}", out.display()));
    black_box_cfg();
}

/// Sets the cfg `benchlab_no_std_black_box` when the compiler predates
/// `std::hint::black_box` (stable in 1.66), so that src/common.rs supplies
/// its own; Debian's rustc 1.63 is one of the toolchains build.sh can pick.
fn black_box_cfg() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let out = std::process::Command::new(&rustc)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("{rustc} --version: {e}"));
    let version = String::from_utf8_lossy(&out.stdout);
    // "rustc 1.63.0 (4b91a6ea7 2022-08-08)" or "rustc 1.63.0"
    let minor = version
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or_else(|| panic!("{rustc} --version: cannot read {version:?}"));
    if minor < 66 {
        println!("cargo:rustc-cfg=benchlab_no_std_black_box");
    }
    if minor >= 80 {
        // Declares the cfg to the unexpected_cfgs lint; older cargo warns
        // about the instruction. Single colon: cargo before 1.77 reads it too.
        println!("cargo:rustc-check-cfg=cfg(benchlab_no_std_black_box)");
    }
}
