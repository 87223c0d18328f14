//! The real server on a loopback port, and a small browser: cookies kept, redirects not
//! followed (the tests check them), forms posted with the page's CSRF token.

use std::collections::HashMap;
use std::sync::Mutex;

use app::Store;
use app::clock::Clock;
use test_support::fixed_now;
use tokio::sync::oneshot;

pub(crate) struct Server {
    pub(crate) base: String,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the application on a free loopback port, its clock fixed at `fixed_now()`.
pub(crate) async fn start(store: &Store) -> Server {
    let listener = web::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let state = web::AppState::new(store.clone(), Clock::Fixed(fixed_now()));
    tokio::spawn(async move {
        web::serve(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    Server {
        base,
        stop: Some(stop),
    }
}

/// Runs blocking HTTP calls without stopping the server's tasks on this runtime.
pub(crate) fn blocking<T>(work: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(work)
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) location: Option<String>,
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

fn headers_of(response: &ureq::http::Response<ureq::Body>) -> Vec<(String, String)> {
    response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

impl Reply {
    /// A header of the answer, by its lowercase name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as a browser shows it (the templates escape `/` in values).
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body)
            .replace("&#x2f;", "/")
            .replace("&#x27;", "'")
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text()))
    }

    /// The CSRF token the page's forms carry.
    pub(crate) fn csrf(&self) -> String {
        let text = self.text();
        let start = text
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no form token in: {text}"))
            + "name=\"csrf\" value=\"".len();
        text[start..start + 64].to_owned()
    }

    /// The text of the element with this id (`id="…">text<`).
    pub(crate) fn element(&self, id: &str) -> String {
        let text = self.text();
        let marker = format!("id=\"{id}\"");
        let at = text
            .find(&marker)
            .unwrap_or_else(|| panic!("no element {id}"));
        let rest = &text[at..];
        let start = rest.find('>').unwrap() + 1;
        let end = rest[start..].find('<').unwrap() + start;
        rest[start..end].to_owned()
    }

    /// The `data-minor` of the element with this id.
    pub(crate) fn minor(&self, id: &str) -> i64 {
        attribute_after(&self.text(), &format!("id=\"{id}\""), "data-minor")
    }

    pub(crate) fn bucket_minor(&self, bucket: &str) -> i64 {
        attribute_after(
            &self.text(),
            &format!("data-bucket=\"{bucket}\""),
            "data-minor",
        )
    }
}

fn attribute_after(text: &str, marker: &str, attribute: &str) -> i64 {
    let at = text.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &text[at..];
    let start = rest.find(&format!("{attribute}=\"")).unwrap() + attribute.len() + 2;
    let end = rest[start..].find('"').unwrap() + start;
    rest[start..end].parse().unwrap()
}

/// A browser: one cookie jar, the server's base address.
pub(crate) struct Browser {
    base: String,
    agent: ureq::Agent,
    cookies: Mutex<HashMap<String, String>>,
}

impl Browser {
    pub(crate) fn new(server: &Server) -> Browser {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        Browser {
            base: server.base.clone(),
            agent,
            cookies: Mutex::new(HashMap::new()),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) fn has_cookie(&self, name: &str) -> bool {
        self.cookies.lock().unwrap().contains_key(name)
    }

    fn keep(&self, response: ureq::http::Response<ureq::Body>) -> Reply {
        let mut jar = self.cookies.lock().unwrap();
        for value in response.headers().get_all("set-cookie") {
            let line = value.to_str().unwrap();
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|value| value.to_str().unwrap().to_owned());
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let headers = headers_of(&response);
        let body = response.into_body().read_to_vec().unwrap();
        Reply {
            status,
            headers,
            location,
            content_type,
            body,
        }
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        let response = self
            .agent
            .get(&format!("{}{path}", self.base))
            .header("cookie", &self.cookie_header())
            .call()
            .unwrap();
        self.keep(response)
    }

    pub(crate) fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_with(path, fields, false)
    }

    /// A POST as htmx sends it (the `HX-Request` header): the answer is a fragment.
    pub(crate) fn htmx_post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_with(path, fields, true)
    }

    fn post_with(&self, path: &str, fields: &[(&str, &str)], htmx: bool) -> Reply {
        let mut request = self
            .agent
            .post(&format!("{}{path}", self.base))
            .header("cookie", &self.cookie_header());
        if htmx {
            request = request.header("hx-request", "true");
        }
        let response = request.send_form(fields.iter().copied()).unwrap();
        self.keep(response)
    }

    /// Uploads a file as a multipart form with the given fields.
    pub(crate) fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> Reply {
        let boundary = "relance-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = self
            .agent
            .post(&format!("{}{path}", self.base))
            .header("cookie", &self.cookie_header())
            .content_type(format!("multipart/form-data; boundary={boundary}"))
            .send(&body[..])
            .unwrap();
        self.keep(response)
    }

    /// Logs in through the login form.
    pub(crate) fn login(&self, email: &str, password: &str) -> Reply {
        let form = self.get("/login");
        assert_eq!(form.status, 200, "{}", form.text());
        let csrf = form.csrf();
        self.post(
            "/login",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
    }
}

/// An API client with a bearer token.
pub(crate) struct Api {
    base: String,
    agent: ureq::Agent,
    token: String,
}

impl Api {
    pub(crate) fn new(server: &Server, token: &str) -> Api {
        Api {
            base: format!("{}/api/v1", server.base),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
            token: token.to_owned(),
        }
    }

    fn reply(response: ureq::http::Response<ureq::Body>) -> Reply {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        Reply {
            status,
            headers: headers_of(&response),
            location: None,
            content_type,
            body: response.into_body().read_to_vec().unwrap(),
        }
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        Api::reply(
            self.agent
                .get(&format!("{}{path}", self.base))
                .header("authorization", &format!("Bearer {}", self.token))
                .call()
                .unwrap(),
        )
    }

    pub(crate) fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Reply {
        Api::reply(
            self.agent
                .post(&format!("{}{path}", self.base))
                .header("authorization", &format!("Bearer {}", self.token))
                .content_type(content_type)
                .send(body)
                .unwrap(),
        )
    }

    pub(crate) fn delete(&self, path: &str) -> Reply {
        Api::reply(
            self.agent
                .delete(&format!("{}{path}", self.base))
                .header("authorization", &format!("Bearer {}", self.token))
                .call()
                .unwrap(),
        )
    }

    /// A write with an `Idempotency-Key`.
    pub(crate) fn send_with_key(
        &self,
        method: &str,
        path: &str,
        key: &str,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.token))
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .body(body.map(|value| value.to_string()).unwrap_or_default())
            .unwrap();
        Api::reply(self.agent.run(request).unwrap())
    }

    pub(crate) fn put_json(&self, path: &str, value: serde_json::Value) -> Reply {
        Api::reply(
            self.agent
                .put(&format!("{}{path}", self.base))
                .header("authorization", &format!("Bearer {}", self.token))
                .content_type("application/json")
                .send(value.to_string().as_bytes())
                .unwrap(),
        )
    }

    pub(crate) fn post_json(&self, path: &str, value: serde_json::Value) -> Reply {
        self.post(path, "application/json", value.to_string().as_bytes())
    }
}
