//! Reading a request's body: whole, within a size limit and the body timeout.

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming as HyperBody;

/// Why a body was not read: the status to answer and what to say (the caller answers in its
/// facade's shape).
pub(super) struct Unread {
    pub status: StatusCode,
    pub text: String,
}

/// Reads the whole body, at most `limit` bytes, within `timeout`: `Err` is a 413, 408 or 400.
pub(super) async fn read_body(
    limit: usize,
    timeout: std::time::Duration,
    body: HyperBody,
) -> Result<Bytes, Unread> {
    use hyper::body::Body as _;
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let read = tokio::time::timeout(timeout, Limited::new(body, limit).collect());
    let e = match read.await {
        Ok(Ok(collected)) => return Ok(collected.to_bytes()),
        Ok(Err(e)) => e,
        Err(_) => {
            return Err(Unread {
                status: StatusCode::REQUEST_TIMEOUT,
                text: format!(
                    "The request body did not arrive within {} seconds",
                    timeout.as_secs_f64()
                ),
            });
        }
    };
    let too_large = e
        .downcast_ref::<http_body_util::LengthLimitError>()
        .is_some();
    Err(if too_large {
        Unread {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            text: format!("The request body is larger than this server's limit of {limit} bytes"),
        }
    } else {
        Unread {
            status: StatusCode::BAD_REQUEST,
            text: format!("The request body could not be read: {e}"),
        }
    })
}
