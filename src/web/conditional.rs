//! Validators and conditional requests for what the archive renders in memory (pages, the
//! stylesheet, charts, feeds, the favicon): each gets an `ETag` from its body, and a
//! request whose `If-None-Match` names it is answered 304 with no body.
//!
//! Files streamed from disk (PDFs) and page images set their own `ETag` from the content
//! hash and answer their conditional requests before reading anything; this layer leaves a
//! response that already has an `ETag` as it is, except to turn a match into a 304.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest body this layer reads to hash; a bigger one (none is expected) goes out
/// without a validator rather than be held in memory twice.
const MAX_HASHED_BODY: usize = 32 * 1024 * 1024;

/// The media types whose bodies are rendered in memory and worth a validator.
const VALIDATED_TYPES: [&str; 5] = [
    "text/html",
    "text/css",
    "image/svg+xml",
    "application/atom+xml",
    "image/x-icon",
];

/// The middleware (see the module's comment).
pub async fn validate(request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return next.run(request).await;
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    if let Some(tag) = response.headers().get(header::ETAG) {
        return match &if_none_match {
            Some(asked) if matches(asked, tag) => not_modified(response.headers()),
            _ => response,
        };
    }
    // A response that sets a cookie (sign-in, CSRF) is personal: no validator, no 304.
    if response.headers().contains_key(header::SET_COOKIE) || !validated(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_HASHED_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!("cannot read a response body to validate it: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let hash = blake3::hash(&bytes);
    // Weak: the compression layer outside may send the same content in another encoding.
    let tag = format!("W/\"{}\"", &hash.to_hex()[..32]);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, value);
    }
    match &if_none_match {
        Some(asked)
            if parts
                .headers
                .get(header::ETAG)
                .is_some_and(|t| matches(asked, t)) =>
        {
            not_modified(&parts.headers)
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}

fn validated(headers: &HeaderMap) -> bool {
    let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let kind = kind.split(';').next().unwrap_or_default().trim();
    VALIDATED_TYPES.contains(&kind)
}

/// A validator for a page built from the index: the same generation of the index, the
/// same address and the same reader give the same page. The server's start is part of it,
/// so a new version of the pages is never answered with a 304.
pub fn index_etag(generation: u64, query: &str, user: Option<&str>) -> HeaderValue {
    static STARTED: std::sync::LazyLock<u128> = std::sync::LazyLock::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    });
    let mut hasher = blake3::Hasher::new();
    hasher.update(&STARTED.to_le_bytes());
    hasher.update(&generation.to_le_bytes());
    hasher.update(query.as_bytes());
    hasher.update(&[0]);
    hasher.update(user.unwrap_or_default().as_bytes());
    let tag = format!("W/\"g{}\"", &hasher.finalize().to_hex()[..32]);
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("W/\"g\""))
}

/// Whether `If-None-Match` (a list of tags, or `*`) names `tag`, by the weak comparison
/// RFC 9110 asks for here.
pub fn matches(if_none_match: &HeaderValue, tag: &HeaderValue) -> bool {
    let Ok(asked) = if_none_match.to_str() else {
        return false;
    };
    let Ok(tag) = tag.to_str() else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let tag = opaque(tag);
    asked
        .split(',')
        .any(|candidate| candidate.trim() == "*" || opaque(candidate) == tag)
}

/// A 304 that keeps what a cache needs to refresh its copy (validator, caching rules,
/// `Vary`), and no body.
pub fn not_modified(headers: &HeaderMap) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    for name in [
        header::ETAG,
        header::CACHE_CONTROL,
        header::LAST_MODIFIED,
        header::VARY,
        header::CONTENT_LOCATION,
        header::EXPIRES,
    ] {
        if let Some(value) = headers.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_weakly_in_lists_and_by_star() {
        let tag = HeaderValue::from_static("W/\"abc\"");
        let strong = HeaderValue::from_static("\"abc\"");
        for asked in ["W/\"abc\"", "\"abc\"", "\"x\", W/\"abc\"", "*"] {
            assert!(matches(&HeaderValue::from_static(asked), &tag), "{asked}");
            assert!(
                matches(&HeaderValue::from_static(asked), &strong),
                "{asked}"
            );
        }
        assert!(!matches(&HeaderValue::from_static("\"abd\""), &tag));
        assert!(!matches(&HeaderValue::from_static(""), &tag));
    }
}
