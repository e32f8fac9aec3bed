//! Generates the C header into OUT_DIR with cbindgen. The committed `include/gamelift_auth.h`
//! must equal it: a test compares them (and `GAMELIFT_AUTH_BLESS=1 cargo test header` refreshes
//! the committed copy).

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("gamelift_auth.h");
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");

    let v = |name: &str| env::var(name).expect(name);
    let (major, minor, patch) = (
        v("CARGO_PKG_VERSION_MAJOR"),
        v("CARGO_PKG_VERSION_MINOR"),
        v("CARGO_PKG_VERSION_PATCH"),
    );
    let number: u64 = major.parse::<u64>().unwrap_or(0) * 10_000
        + minor.parse::<u64>().unwrap_or(0) * 100
        + patch.parse::<u64>().unwrap_or(0);
    // Must equal ffi::library::ABI_VERSION (a test checks both).
    let abi = 1;
    let macros = format!(
        "\n#define GAMELIFT_AUTH_VERSION \"{}\"\n\
         #define GAMELIFT_AUTH_VERSION_MAJOR {major}\n\
         #define GAMELIFT_AUTH_VERSION_MINOR {minor}\n\
         #define GAMELIFT_AUTH_VERSION_PATCH {patch}\n\
         /* MAJOR * 10000 + MINOR * 100 + PATCH */\n\
         #define GAMELIFT_AUTH_VERSION_NUMBER {number}\n\
         /* Bumps on any ABI break; compare with gamelift_auth_abi_version() at run time. */\n\
         #define GAMELIFT_AUTH_ABI_VERSION {abi}\n",
        v("CARGO_PKG_VERSION"),
    );

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    config.after_includes = Some(macros);
    match cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
    {
        Ok(bindings) => {
            bindings.write_to_file(&out);
        }
        Err(e) => {
            // Keep `cargo build` useful while the sources do not parse; the header test fails.
            println!("cargo:warning=cbindgen could not generate the header: {e}");
        }
    }
}
