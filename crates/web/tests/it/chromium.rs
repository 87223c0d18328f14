//! The pages in a real browser: headless Chromium driven by chromedriver over the W3C WebDriver
//! protocol (plain HTTP and JSON). `.ci/run` installs Debian's `chromium` and `chromium-driver`;
//! where chromedriver is absent the test says so and does nothing.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::harness::{blocking, start};
use crate::{books, first_run_company};

struct Driver {
    base: String,
    agent: ureq::Agent,
    session: String,
    process: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(&format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    fn start() -> Option<Driver> {
        let driver = which("chromedriver")?;
        let browser = which("chromium")?;
        let port = free_port();
        let mut process = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        // chromedriver says on its output when it listens.
        let output = process.stdout.take().unwrap();
        let ready = BufReader::new(output)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains("started successfully"));
        assert!(ready, "chromedriver did not start");
        let base = format!("http://127.0.0.1:{port}");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": browser,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync", "--window-size=1280,1100",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        }}});
        let mut response = agent
            .post(&format!("{base}/session"))
            .content_type("application/json")
            .send(capabilities.to_string())
            .unwrap();
        let body: Value =
            serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        let session = body["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {body}"))
            .to_owned();
        let driver = Driver {
            base,
            agent,
            session,
            process,
            _profile: profile,
        };
        // Finding an element waits for it: htmx answers arrive after the click.
        driver.call("POST", "/timeouts", Some(json!({ "implicit": 15_000 })));
        Some(driver)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .content_type("application/json")
                .send(body.unwrap_or_else(|| json!({})).to_string()),
        };
        let text = response.unwrap().body_mut().read_to_string().unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        if value["value"]["error"].is_string() {
            panic!("WebDriver {path}: {}", value["value"]);
        }
        value["value"].clone()
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn element(&self, css: &str) -> String {
        self.find("css selector", css)
    }

    /// Waits (the implicit timeout) for an element, by CSS selector or XPath.
    fn find(&self, using: &str, selector: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({"using": using, "value": selector})),
        );
        found
            .as_object()
            .and_then(|object| object.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {selector}"))
            .to_owned()
    }

    fn type_in(&self, css: &str, text: &str) {
        let element = self.element(css);
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn click(&self, css: &str) {
        let element = self.element(css);
        self.call("POST", &format!("/element/{element}/click"), None);
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn screenshot(&self) -> Vec<u8> {
        let encoded = self.call("GET", "/screenshot", None);
        decode_base64(encoded.as_str().unwrap())
    }
}

/// A browser, or `None` (said on standard error) where chromedriver or chromium is absent.
fn driver_or_skip() -> Option<Driver> {
    let driver = blocking(Driver::start);
    if driver.is_none() {
        #[expect(clippy::print_stderr, reason = "says why the test did nothing")]
        {
            eprintln!("chromedriver or chromium is not installed: the browser test did not run");
        }
    }
    driver
}

/// With `RELANCE_UPDATE_SCREENSHOTS` set, saves the page as `docs/images/<name>.png` (for the
/// README).
fn keep_screenshot(driver: &Driver, name: &str) {
    if std::env::var_os("RELANCE_UPDATE_SCREENSHOTS").is_some() {
        let png = driver.screenshot();
        assert!(png.starts_with(b"\x89PNG"));
        let path = format!(
            "{}/../../docs/images/{name}.png",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::write(path, png).unwrap();
    }
}

fn which(program: &str) -> Option<String> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
            .map(|path| path.display().to_string())
    })
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut bits = 0_u32;
        for (index, c) in chunk.iter().enumerate() {
            bits |= value(*c) << (18 - 6 * index);
        }
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decodes_as_the_screenshot_needs() {
    assert_eq!(decode_base64("iVBORw0KGgo="), b"\x89PNG\r\n\x1a\n");
    assert_eq!(decode_base64("TWFu"), b"Man");
    assert_eq!(decode_base64("TWE="), b"Ma");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_chromium_a_collector_day_first_run_dashboard_call_with_a_promise_and_an_approval() {
    let Some(driver) = driver_or_skip() else {
        return;
    };
    let database = test_support::TestDatabase::new(test_support::TestBackend::Sqlite).await;
    let server = start(&database.store).await;
    let base = server.base.clone();
    blocking(|| {
        driver.open(&format!("{base}/"));
        driver.element("#company");
        assert!(
            driver
                .source()
                .contains("Créer le premier compte administrateur")
        );
        let (company, name, email, password) = first_run_company();
        driver.type_in("#company", company);
        driver.type_in("#display_name", name);
        driver.type_in("#email", email);
        driver.type_in("#password", password);
        driver.click("form[action='/setup'] button[type=submit]");
        driver.element("nav a[href='/customers']");
    });
    let tenant = books(&database).await;
    blocking(|| {
        driver.open(&format!("{base}/"));
        driver.element("svg.chart");
        assert!(driver.source().contains("Balance âgée"));
        keep_screenshot(&driver, "dashboard");

        // A call with a promise, recorded without leaving the page.
        driver.open(&format!("{base}/customers/CALL"));
        driver.element("#call form");
        keep_screenshot(&driver, "customer-file");
        driver.click("#reason option[value='cash-flow']");
        driver.script("document.getElementById('promise_on').value = '2026-12-01';");
        driver.type_in("#promise_amount", "300.00");
        driver.type_in("#note", "virement le 1er");
        driver.click("#call form button[type=submit]");
        driver.element("#call-result p.notice");
        assert!(driver.source().contains("Appel enregistré."));
        assert!(
            driver
                .script("return location.pathname")
                .as_str()
                .is_some_and(|path| path == "/customers/CALL"),
            "htmx answered in place"
        );
    });
    let file = app::dunning::customer_file(&database.store, &tenant, "CALL")
        .await
        .unwrap()
        .0;
    let promise = file.promises.last().expect("the promise was recorded");
    assert_eq!(promise.amount.minor(), 30_000);
    let notice = app::dunning::list_actions(
        &database.store,
        &tenant,
        None,
        Some("LATE"),
        Some("awaiting_approval"),
    )
    .await
    .unwrap();
    let id = notice[0].id;
    blocking(|| {
        driver.open(&format!("{base}/actions"));
        driver.element(&format!("#action-{id}"));
        keep_screenshot(&driver, "actions");
        driver.click(&format!("form[action='/actions/{id}/approve'] button"));
        // htmx swaps the row for its new state.
        driver.find(
            "xpath",
            &format!("//tr[@id='action-{id}']/td[contains(., 'Programmée')]"),
        );
    });
    let approved = app::calls::action(&database.store, &tenant, id)
        .await
        .unwrap();
    assert_eq!(approved.status, "scheduled");

    // As the debtor: the personal link, and a dispute of one invoice.
    let link = app::portal::issue_link(&database.store, &tenant, crate::clock(), "CALL", None)
        .await
        .unwrap();
    blocking(|| {
        driver.open(&link.url(&base));
        driver.element("#dispute-form");
        assert!(driver.source().contains("Ce qui reste à régler"));
        keep_screenshot(&driver, "portal");
        driver.click("#invoice option[value='F-003']");
        driver.click("#reason option[value='not-received']");
        driver.type_in("#comment", "jamais livré");
        driver.click("#dispute-form button[type=submit]");
        driver.element("#portal-done");
        assert!(
            driver
                .source()
                .contains("votre contestation est enregistrée")
        );
    });
    let file = app::dunning::customer_file(&database.store, &tenant, "CALL")
        .await
        .unwrap()
        .0;
    let dispute = file.disputes.last().expect("the dispute was recorded");
    assert_eq!(dispute.invoice_number, "F-003");
    assert_eq!(dispute.reason, "not-received");
    drop(driver);
    database.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_chromium_a_template_preview_follows_the_typing_for_a_chosen_customer() {
    let Some(driver) = driver_or_skip() else {
        return;
    };
    let database = test_support::TestDatabase::new(test_support::TestBackend::Sqlite).await;
    let server = start(&database.store).await;
    let base = server.base.clone();
    blocking(|| {
        driver.open(&format!("{base}/"));
        let (company, name, email, password) = first_run_company();
        driver.type_in("#company", company);
        driver.type_in("#display_name", name);
        driver.type_in("#email", email);
        driver.type_in("#password", password);
        driver.click("form[action='/setup'] button[type=submit]");
        driver.element("nav a[href='/settings']");
    });
    let tenant = books(&database).await;
    blocking(|| {
        driver.open(&format!("{base}/settings/templates/first_reminder/fr"));
        driver.element("#preview-subject");
        driver.type_in("#preview-customer", "LATE");
        // The caret at the start of the subject's text, then typed: the preview follows.
        driver.script(
            "const area = document.getElementById('file'); area.focus(); \
             const at = area.value.indexOf('\\n') + 1; area.setSelectionRange(at, at);",
        );
        driver.type_in("#file", "Relu par Alice - ");
        driver.find(
            "xpath",
            "//span[@id='preview-subject'][contains(., 'Relu par Alice')]",
        );
        assert!(
            driver.source().contains("F-001"),
            "LATE's invoice in the preview"
        );
        keep_screenshot(&driver, "template-editor");
    });
    let stored = app::templates::text(
        &database.store,
        &tenant,
        "first_reminder",
        domain::customer::Language::French,
    )
    .await
    .unwrap();
    assert_eq!(
        stored.origin,
        app::templates::Origin::BuiltIn,
        "a preview saves nothing"
    );
    drop(driver);
    database.cleanup().await;
}
