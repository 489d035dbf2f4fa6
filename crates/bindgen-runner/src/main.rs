//! `pixelproof-bindgen IN.wasm OUT_DIR`: what `wasm-bindgen --target web` does,
//! with the version fixed by Cargo.lock instead of whatever CLI is installed.
//! The output is named after the input (`pixelproof_wasm.wasm` →
//! `pixelproof_wasm.js` + `pixelproof_wasm_bg.wasm`), as the CLI names it.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(out_dir)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: pixelproof-bindgen IN.wasm OUT_DIR");
        return ExitCode::from(2);
    };
    let mut b = wasm_bindgen_cli_support::Bindgen::new();
    // Declarations too: ./build.sh test type-checks the extension's JS against them.
    b.input_path(input).typescript(true);
    if let Err(e) = b.web(true) {
        eprintln!("pixelproof-bindgen: {e}");
        return ExitCode::from(1);
    }
    match b.generate(out_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pixelproof-bindgen: {input}: {e:#}");
            ExitCode::from(1)
        }
    }
}
