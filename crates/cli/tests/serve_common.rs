//! Running `eduaid serve` for a test, and a minimal HTTP/1.1 client for it
//! (one request per connection), shared by the API and browser tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running server, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`.
    pub(crate) url: String,
    /// `127.0.0.1:PORT`.
    pub(crate) host: String,
}

impl Server {
    /// Start `eduaid serve` on a free loopback port with `store`, and extra
    /// arguments.
    pub(crate) fn start(store: &Path, extra: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_eduaid"));
        cmd.env_remove("LC_ALL")
            .env_remove("EDUAID_TOKEN")
            .env("LANG", "C")
            .args(["serve", "--store"])
            .arg(store);
        if !extra.contains(&"--addr") {
            cmd.args(["--addr", "127.0.0.1:0"]);
        }
        let mut child = cmd
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        let host = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .replace("0.0.0.0", "127.0.0.1");
        Server { child, url, host }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A client with its own session cookie.
pub(crate) struct Client {
    pub(crate) host: String,
    pub(crate) cookie: Option<String>,
    pub(crate) token: Option<String>,
    /// Headers sent with every request; a `Host` here replaces the
    /// address connected to.
    pub(crate) extra: Vec<(String, String)>,
}

impl Client {
    /// A client of `server`, with no session yet.
    pub(crate) fn new(server: &Server) -> Client {
        Client {
            host: server.host.clone(),
            cookie: None,
            token: None,
            extra: Vec::new(),
        }
    }

    /// This client with a header sent on every request.
    pub(crate) fn with(mut self, name: &str, value: &str) -> Client {
        self.extra.push((name.to_string(), value.to_string()));
        self
    }

    /// Send a request; keep the session cookie the server sets.
    pub(crate) fn send(&mut self, method: &str, path: &str, body: &[u8]) -> Answer {
        let mut s = TcpStream::connect(&self.host).unwrap();
        let host = self
            .extra
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("host"))
            .map_or(self.host.as_str(), |(_, v)| v.as_str());
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in &self.extra {
            if !k.eq_ignore_ascii_case("host") {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        if let Some(c) = &self.cookie {
            head.push_str(&format!("Cookie: {c}\r\n"));
        }
        if !body.is_empty() {
            head.push_str("Content-Type: application/json\r\n");
        }
        if let Some(t) = &self.token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        // A server may answer (413) before reading the whole body.
        let _ = s.write_all(body);
        // Read the head, then exactly the body (a server may keep the
        // connection open despite `Connection: close`).
        s.set_read_timeout(Some(std::time::Duration::from_secs(900))).unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 65536];
        let split = loop {
            if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let n = s.read(&mut buf).unwrap();
            assert!(
                n > 0,
                "connection closed in the head: {:?}",
                String::from_utf8_lossy(&raw)
            );
            raw.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut body = raw[split + 4..].to_vec();
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            })
            .collect();
        let value = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        if let Some(len) = value("content-length").and_then(|v| v.parse::<usize>().ok()) {
            while body.len() < len {
                let n = s.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&buf[..n]);
            }
            body.truncate(len);
        } else if value("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            while !body.ends_with(b"0\r\n\r\n") {
                let n = s.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&buf[..n]);
            }
            body = dechunk(&body);
        } else {
            let _ = s.read_to_end(&mut body);
        }
        if let Some((_, v)) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("set-cookie")) {
            self.cookie = v.split(';').next().map(str::to_string);
        }
        Answer { status, headers, body }
    }

    /// GET.
    pub(crate) fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, b"")
    }

    /// POST a body.
    pub(crate) fn post(&mut self, path: &str, body: &[u8]) -> Answer {
        self.send("POST", path, body)
    }
}

/// The body of a chunked answer.
fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + size]);
        b = &b[end + 2 + size + 2..];
    }
}
