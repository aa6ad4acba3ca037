//! The console's wasm keeps its relocations: scripts/split-console.mjs cuts it into lazily
//! loaded chunks at the `#[wasm_split]` functions, and needs them to move code between parts.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-link-arg-bins=--emit-relocs");
    }
}
