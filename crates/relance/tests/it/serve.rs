//! `relance serve`: the binary starts the web application and says where to open it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub(crate) struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `relance serve` on a free port; returns it and the lines it printed before
/// "Ctrl+C".
pub(crate) fn serve(data: &std::path::Path, extra: &[&str]) -> (Server, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relance"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("RELANCE_DATABASE_URL")
        .env_remove("RELANCE_LANG")
        .env_remove("RELANCE_TENANT")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the relance binary runs");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.contains("Ctrl+C");
        lines.push(line);
        if done {
            break;
        }
    }
    (server, lines)
}

fn url_in(lines: &[String]) -> String {
    let first = &lines[0];
    first[first.find("http://").expect("the address is printed")..].to_owned()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

#[test]
fn serve_demo_prints_the_address_and_a_login_that_works() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    let (server, lines) = serve(&data, &["--demo"]);
    let url = url_in(&lines);
    let login = lines
        .iter()
        .find(|line| line.starts_with("Connexion : admin@demo.relance.fr"))
        .unwrap_or_else(|| panic!("no login printed: {lines:?}"));
    let password = login.rsplit(' ').next().unwrap();
    let agent = agent();
    let home = agent.get(&url).call().unwrap();
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/login");
    let mut form = agent.get(&format!("{url}login")).call().unwrap();
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = form.body_mut().read_to_string().unwrap();
    let start = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &page[start..start + 64];
    let logged = agent
        .post(&format!("{url}login"))
        .header("cookie", &cookie)
        .send_form([
            ("csrf", csrf),
            ("email", "admin@demo.relance.fr"),
            ("password", password),
        ])
        .unwrap();
    assert_eq!(logged.status(), 303, "the printed password logs in");
    let session = logged.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let file = agent
        .get(&format!("{url}customers/C000001"))
        .header("cookie", &session)
        .call()
        .unwrap();
    assert_eq!(file.status(), 200);
    // The reading is in the audit log, which the command line reads too.
    let log = crate::relance(
        &data,
        &["audit", "list", "--customer", "C000001", "--format", "json"],
    )
    .success();
    let log = crate::json(&log.stdout());
    assert_eq!(log["total"], 1, "{log}");
    assert_eq!(log["entries"][0]["actor"], "admin@demo.relance.fr");
    assert_eq!(log["entries"][0]["action"], "GET /customers/{reference}");
    assert_eq!(log["entries"][0]["address"], "127.0.0.1");
    let table = crate::relance(&data, &["audit", "list", "--user", "nobody@example.org"]).success();
    assert_eq!(
        table.stdout().lines().count(),
        2,
        "the header and its rule: {}",
        table.stdout()
    );
    drop(server);

    // Started again, the demo and its administrator are kept: no new password.
    let (_again, lines) = serve(&data, &["--demo"]);
    assert!(
        !lines.iter().any(|line| line.contains("mot de passe")),
        "{lines:?}"
    );
}

#[test]
fn serve_on_a_new_data_directory_asks_for_the_first_administrator() {
    let directory = tempfile::tempdir().unwrap();
    let (_server, lines) = serve(&directory.path().join("data"), &[]);
    assert!(
        lines
            .iter()
            .any(|line| line.contains("créer le premier compte administrateur")),
        "{lines:?}"
    );
    let home = agent().get(&url_in(&lines)).call().unwrap();
    assert_eq!(home.headers()["location"], "/setup");
}

#[test]
fn portal_link_prints_an_address_that_opens_the_customers_page_until_revoked() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    crate::relance(&data, &["init", "--company", "Atelier Dupont SARL"]).success();
    let file = directory.path().join("export.csv");
    std::fs::write(&file, crate::EXPORT).unwrap();
    crate::relance(&data, &["import", "invoices", file.to_str().unwrap()]).success();
    let (_server, lines) = serve(&data, &[]);
    let base = url_in(&lines);
    let link = crate::relance(
        &data,
        &[
            "portal",
            "link",
            "--customer",
            "C1",
            "--base-url",
            base.trim_end_matches('/'),
        ],
    )
    .success();
    let url = link.stdout().trim().to_owned();
    assert!(url.starts_with(&format!("{base}p/")), "{url}");
    assert_eq!(url.len(), base.len() + 2 + 64, "{url}");
    let agent = agent();
    let mut page = agent.get(&url).call().unwrap();
    assert_eq!(page.status(), 200);
    let text = page.body_mut().read_to_string().unwrap();
    assert!(text.contains("Alpha SARL"), "{text}");
    assert!(text.contains("F-1"));
    assert!(!text.contains("Beta SAS"), "another customer never shows");

    let revoked = crate::relance(&data, &["portal", "revoke", "--customer", "C1"]).success();
    assert!(
        revoked.stdout().contains("1 lien(s) révoqué(s)"),
        "{}",
        revoked.stdout()
    );
    let mut gone = agent.get(&url).call().unwrap();
    assert_eq!(gone.status(), 410);
    assert!(!gone.body_mut().read_to_string().unwrap().contains("Alpha"));
    let unknown = crate::relance(&data, &["portal", "link", "--customer", "NOPE"]);
    assert_ne!(unknown.code(), 0);
}

#[test]
fn portal_settings_are_shown_and_changed_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    crate::relance(&data, &["init", "--company", "Atelier Dupont SARL"]).success();
    let shown = crate::relance(&data, &["--lang", "en", "portal", "settings"]).success();
    assert!(
        shown
            .stdout()
            .contains("60 days; promises accepted up to 30"),
        "{}",
        shown.stdout()
    );
    let changed = crate::relance(
        &data,
        &[
            "portal",
            "settings",
            "--link-days",
            "15",
            "--promise-days",
            "10",
        ],
    )
    .success();
    assert!(
        changed.stdout().contains("15 jours"),
        "{}",
        changed.stdout()
    );
    let refused = crate::relance(&data, &["portal", "settings", "--promise-days", "0"]);
    assert_ne!(refused.code(), 0);
    let again = crate::relance(&data, &["portal", "settings"]).success();
    assert!(
        again.stdout().contains("jusqu'à 10 jours"),
        "{}",
        again.stdout()
    );
}
