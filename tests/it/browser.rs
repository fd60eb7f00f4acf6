//! A real headless Chromium, driven through chromedriver.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::support::{DEMO_PASSWORD, TestApp};

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    profile: std::path::PathBuf,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/test installs Debian's chromium and chromium-driver)");
        let profile = std::env::temp_dir().join(format!("lisa-chromium-{}-{port}", std::process::id()));
        Driver { child, port, profile }
    }

    async fn client(&self) -> fantoccini::Client {
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=1280,900",
                    format!("--user-data-dir={}", self.profile.display()),
                ]
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let attempt = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await;
            match attempt {
                Ok(client) => return client,
                Err(err) if Instant::now() > deadline => panic!("could not start Chromium: {err}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

#[tokio::test]
async fn the_coordinator_logs_in_creates_a_namnd_and_sees_it_listed() {
    let app = TestApp::spawn().await;
    let driver = Driver::start();
    let browser = driver.client().await;

    browser.goto(&app.url("/")).await.unwrap();
    assert!(browser.current_url().await.unwrap().path().starts_with("/login"), "sent to login");
    browser.find(Locator::Css("#email")).await.unwrap().send_keys("samordnare@exempelby.se").await.unwrap();
    browser.find(Locator::Css("#password")).await.unwrap().send_keys(DEMO_PASSWORD).await.unwrap();
    browser.find(Locator::Css("main button[type=submit]")).await.unwrap().click().await.unwrap();
    let heading = browser.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Välkommen, Sara Lind");

    browser.find(Locator::LinkText("Organisation")).await.unwrap().click().await.unwrap();
    browser.find(Locator::LinkText("Lägg till organ")).await.unwrap().click().await.unwrap();
    browser.find(Locator::Css("#kind option[value=namnd]")).await.unwrap().click().await.unwrap();
    browser.find(Locator::Css("#name")).await.unwrap().send_keys("Kultur- och fritidsnämnden").await.unwrap();
    browser.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();

    assert_eq!(browser.current_url().await.unwrap().path(), "/org");
    let flash = browser.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
    assert_eq!(flash, "Kultur- och fritidsnämnden har lagts till.");
    let listed = browser.find(Locator::LinkText("Kultur- och fritidsnämnden")).await.unwrap();
    listed.click().await.unwrap();
    let facts = browser.find(Locator::Css(".facts")).await.unwrap().text().await.unwrap();
    assert!(facts.contains("Nämnd"));
    browser.close().await.unwrap();
}
