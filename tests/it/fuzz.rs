//! API fuzzing as a regression test: schemathesis (installed by `scripts/test` into
//! `target/schemathesis`) generates requests from the OpenAPI document, valid and invalid, and
//! sends them as a coordinator; any 5xx fails the test. The seed is fixed and the time bounded.

use std::path::PathBuf;

use crate::support::TestApp;

/// The pinned schemathesis that `scripts/test` installs.
fn schemathesis() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/schemathesis/bin/schemathesis")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_api_requests_never_get_a_server_error() {
    let binary = schemathesis();
    assert!(binary.exists(), "{} is missing: run scripts/test, which installs it", binary.display());
    let app = TestApp::spawn().await;
    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let seconds = std::env::var("LISA_FUZZ_SECONDS").unwrap_or_else(|_| "120".into());
    let output = tokio::process::Command::new(&binary)
        .arg("run")
        .arg(app.url("/api/v1/openapi.json"))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "not_a_server_error"])
        .args(["--seed", "20261201"])
        .args(["--max-time", &seconds])
        .args(["--max-examples", "25"])
        // One worker: with two, hypothesis's lambda-source parsing in threads crashed schemathesis
        // ("AST constructor recursion depth mismatch"), a tool error unrelated to Lisa.
        .args(["--workers", "1"])
        .args(["--request-timeout", "30"])
        // An upload of a PDF report: schemathesis cannot make PDF bodies.
        .args(["--exclude-operation-id", "put_report"])
        .arg("--no-color")
        // Its cache of found crashes stays under target/, out of the checkout.
        .current_dir(binary.parent().and_then(|bin| bin.parent()).expect("the virtual environment"))
        .kill_on_drop(true)
        .output()
        .await
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The summary, and the errors section with each failure's details when there is one.
    let summary: String =
        stdout.lines().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    let errors: String = stdout.lines().skip_while(|l| !l.contains("ERRORS")).take(80).collect::<Vec<_>>().join("\n");
    let summary = format!("{errors}\n{summary}");
    assert!(
        output.status.success(),
        "schemathesis found failures:\n{summary}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Test cases:"), "schemathesis ran: {summary}");
}
