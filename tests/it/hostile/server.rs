//! A real `arkiv serve` process on loopback, a staff account and API token made with
//! `arkiv user`, and a small HTTP/1.1 client (hyper) to talk to it.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub use crate::support::{PASSWORD, Server, USER, staff_token};

pub const BOUNDARY: &str = "arkivhostilegrense";

pub type Client = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

/// A client with its own connection pool (one keep-alive connection per task that uses it).
pub fn client() -> Client {
    hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http()
}

pub struct Reply {
    pub status: u16,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One request; an error is a transport failure or no answer within two minutes.
pub async fn call(
    client: &Client,
    method: Method,
    url: &str,
    headers: &[(header::HeaderName, String)],
    body: Vec<u8>,
) -> Result<Reply, String> {
    let mut builder = Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    let request = builder.body(Full::new(Bytes::from(body))).unwrap();
    let exchange = async {
        let response = client.request(request).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok(Reply { status, body })
    };
    tokio::time::timeout(Duration::from_secs(120), exchange)
        .await
        .map_err(|_| "no answer within 120 s".to_string())?
}

/// A multipart body: text fields, then one file in the field `file`.
pub fn multipart(fields: &[(&str, &str)], file_name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `POST /api/documents` with a bearer token.
pub async fn api_upload(
    client: &Client,
    server_url: &str,
    token: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    bytes: &[u8],
) -> Result<Reply, String> {
    call(
        client,
        Method::POST,
        &format!("{server_url}/api/documents"),
        &[
            (header::AUTHORIZATION, format!("Bearer {token}")),
            (
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            ),
        ],
        multipart(fields, file_name, bytes),
    )
    .await
}

/// `PATCH /api/documents/{id}` with a JSON body.
pub async fn api_patch(
    client: &Client,
    server_url: &str,
    token: &str,
    id: &str,
    json: &serde_json::Value,
) -> Result<Reply, String> {
    call(
        client,
        Method::PATCH,
        &format!("{server_url}/api/documents/{id}"),
        &[
            (header::AUTHORIZATION, format!("Bearer {token}")),
            (header::CONTENT_TYPE, "application/json".to_string()),
        ],
        serde_json::to_vec(json).unwrap(),
    )
    .await
}

/// A small PDF that only `word` makes unique.
pub fn pdf_with(word: &str) -> Vec<u8> {
    super::badpdf::text_pdf(&[&format!(
        "Høringssvar om {word}\n\nOslo, 3. mars 2021\n\nVi viser til Istanbulkonvensjonen artikkel 18 og {word}."
    )])
}

/// A word made of letters only, unique for `n` (search treats digits apart).
pub fn word_for(prefix: &str, n: usize) -> String {
    let mut s = String::from(prefix);
    let mut n = n;
    loop {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    s
}
