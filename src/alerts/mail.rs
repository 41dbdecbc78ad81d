//! Sending mail: the only user of lettre. An SMTP server named by a URL (`smtp://`,
//! `smtps://`, with `?tls=required` for STARTTLS, user and password in the URL), one
//! message shape ([`Mail`]: bokmål-and-English text with an HTML alternative and an
//! unsubscribe address), and the check of an address a person types.

use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one SMTP conversation may take before it counts as failed (and is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The longest address accepted (RFC 5321's bound on a forward path).
pub const MAX_ADDRESS_CHARS: usize = 254;

/// A configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: never printed.
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// One message to one address.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// Already escaped by its maker.
    pub html: String,
    /// Where a click or a one-click POST (RFC 8058) ends what the message is about.
    pub unsubscribe: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the SMTP URL cannot be used: {0}")]
    Url(String),
    #[error("`{0}` is not a usable sender address")]
    From(String),
    #[error("the message cannot be built: {0}")]
    Build(String),
    /// The server refused the address or the message for good (a 5xx answer): the
    /// address bounces.
    #[error("the mail server refused the message: {0}")]
    Refused(String),
    /// The server could not be reached or answered 4xx: worth trying again later.
    #[error("the mail could not be sent now: {0}")]
    Transient(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("the address is empty")]
    Empty,
    #[error("the address is longer than {MAX_ADDRESS_CHARS} characters")]
    TooLong,
    #[error("this is not an e-mail address")]
    Invalid,
}

/// The address as it will be stored and written to: trimmed, one `user@domain` with a
/// dotted domain, no display name, no spaces or control characters (which could start a
/// header of their own).
pub fn check_address(text: &str) -> Result<String, AddressError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AddressError::Empty);
    }
    if text.chars().count() > MAX_ADDRESS_CHARS {
        return Err(AddressError::TooLong);
    }
    if text
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | ',' | '"'))
    {
        return Err(AddressError::Invalid);
    }
    let address: Address = text.parse().map_err(|_| AddressError::Invalid)?;
    let domain = address.domain();
    if !domain.contains('.') || domain.starts_with('[') || domain.ends_with('.') {
        return Err(AddressError::Invalid);
    }
    Ok(format!(
        "{}@{}",
        address.user(),
        domain.to_ascii_lowercase()
    ))
}

impl Mailer {
    /// A mailer for the server at `url`, sending as `from`.
    pub fn new(url: &str, from: &str) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| MailError::From(from.to_string()))?;
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::Build(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{}>", mail.unsubscribe),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_string(),
            ))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| MailError::Build(e.to_string()))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Refused(e.to_string())),
            Err(e) => Err(MailError::Transient(e.to_string())),
        }
    }
}
