//! Real servers on loopback that delivery tests send to: an SMTP server (Python's aiosmtpd,
//! `smtp_sink.py`) and an HTTP server standing in for an SMS gateway (`std::net`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The Python interpreter that has aiosmtpd: `RELANCE_TEST_PYTHON`, else the first of
/// `python3` and `/usr/bin/python3` that imports it. Panics with what to install otherwise: the
/// tests never skip silently.
pub fn python_with_aiosmtpd() -> String {
    let candidates: Vec<String> = match std::env::var("RELANCE_TEST_PYTHON") {
        Ok(python) => vec![python],
        Err(_) => vec!["python3".to_owned(), "/usr/bin/python3".to_owned()],
    };
    for python in &candidates {
        let works = Command::new(python)
            .args(["-c", "import aiosmtpd.controller"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if works {
            return python.clone();
        }
    }
    panic!(
        "the delivery tests need Python's aiosmtpd (apt-get install python3-aiosmtpd, or pip install aiosmtpd); tried {candidates:?}"
    )
}

/// A real SMTP server on loopback; every message it accepts is written to `directory`.
pub struct SmtpSink {
    pub port: u16,
    pub directory: tempfile::TempDir,
    child: Child,
}

/// One message as the SMTP server received it, decoded by Python's email package.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub summary: serde_json::Value,
    /// The bytes received.
    pub raw: Vec<u8>,
    /// The attachments' files, by name.
    pub attachments: Vec<(String, PathBuf)>,
}

impl ReceivedMail {
    pub fn header(&self, name: &str) -> String {
        self.summary[name].as_str().unwrap_or_default().to_owned()
    }

    /// The text of the first part of this content type.
    pub fn part(&self, content_type: &str) -> Option<String> {
        self.summary["parts"]
            .as_array()?
            .iter()
            .find(|part| part["type"] == content_type && part["filename"].is_null())
            .and_then(|part| part["text"].as_str())
            .map(str::to_owned)
    }
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::spawn(None)
    }

    /// A server that accepts mail only after AUTH with these credentials.
    pub fn with_login(user: &str, password: &str) -> SmtpSink {
        SmtpSink::spawn(Some(format!("{user}:{password}")))
    }

    /// A server that offers STARTTLS with this certificate and key (PEM files) and requires it
    /// before any mail.
    pub fn with_starttls(certificate: &Path, key: &Path) -> SmtpSink {
        SmtpSink::spawn(Some(format!(
            "tls={},{}",
            certificate.display(),
            key.display()
        )))
    }

    fn spawn(credentials: Option<String>) -> SmtpSink {
        let python = python_with_aiosmtpd();
        let directory = tempfile::tempdir().expect("a temporary directory");
        let port = free_port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp_sink.py");
        let mut child = Command::new(python)
            .arg(&script)
            .arg(port.to_string())
            .arg(directory.path())
            .args(credentials)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the SMTP sink starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut line)
            .expect("the SMTP sink says when it is ready");
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        SmtpSink {
            port,
            directory,
            child,
        }
    }

    /// `smtp://127.0.0.1:PORT?tls=none`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let mut stems: Vec<PathBuf> = std::fs::read_dir(self.directory.path())
            .expect("the sink's directory")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        stems.sort();
        stems
            .into_iter()
            .map(|json| {
                let summary: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&json).expect("the summary"))
                        .expect("the summary is JSON");
                let stem = json.with_extension("");
                let raw = std::fs::read(stem.with_extension("eml")).expect("the message");
                let attachments = summary["parts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|part| part["filename"].as_str())
                    .map(|name| {
                        let file = format!(
                            "{}-{name}",
                            stem.file_name()
                                .and_then(|n| n.to_str())
                                .unwrap_or_default()
                        );
                        (name.to_owned(), self.directory.path().join(file))
                    })
                    .collect();
                ReceivedMail {
                    summary,
                    raw,
                    attachments,
                }
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Everything received is on disk already: the server can simply go.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request the HTTP server received.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == &name.to_ascii_lowercase())
            .map(|(_, value)| value.as_str())
    }
}

/// A real HTTP server on loopback answering each request with the next status of its script
/// (200 once the script is used up), recording what it received.
pub struct HttpSink {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<HttpRequest>>>,
}

impl HttpSink {
    pub fn start(statuses: Vec<u16>) -> HttpSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        std::thread::spawn(move || {
            let mut statuses = statuses.into_iter();
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let status = statuses.next().unwrap_or(200);
                if let Some(request) = serve(stream, status) {
                    recorded.lock().expect("the record").push(request);
                }
            }
        });
        HttpSink { port, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn received(&self) -> Vec<HttpRequest> {
        self.requests.lock().expect("the record").clone()
    }
}

fn serve(stream: TcpStream, status: u16) -> Option<HttpRequest> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut parts = first.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let reply = match status {
        200..=299 => r#"{"messageId":1}"#,
        _ => r#"{"error":"scripted"}"#,
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} Scripted\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    )
    .ok()?;
    stream.flush().ok()?;
    Some(HttpRequest {
        method,
        path,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}
