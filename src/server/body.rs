//! Reading a request's body: whole, within the facade's size limit and the body timeout.

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming as HyperBody;

use super::pipeline::Target;
use crate::app::Config;
use crate::wire::Answer;

/// Reads the whole body, within the facade's size limit and the body timeout. `Err` is the
/// answer to send instead (413, 408 or 400, in the facade's shape).
pub(super) async fn read_body(
    config: &Config,
    target: Target,
    body: HyperBody,
) -> Result<Bytes, Answer> {
    use hyper::body::Body as _;
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let limit = match target {
        Target::Admin => config.admin_body_limit,
        Target::Vendor(_) => config.body_limit,
    };
    let read = tokio::time::timeout(
        config.body_read_timeout,
        Limited::new(body, limit).collect(),
    );
    let e = match read.await {
        Ok(Ok(collected)) => return Ok(collected.to_bytes()),
        Ok(Err(e)) => e,
        Err(_) => {
            return Err(target.early_error(
                StatusCode::REQUEST_TIMEOUT,
                &format!(
                    "The request body did not arrive within {} seconds",
                    config.body_read_timeout.as_secs_f64()
                ),
            ));
        }
    };
    let too_large = e
        .downcast_ref::<http_body_util::LengthLimitError>()
        .is_some();
    Err(if too_large {
        target.early_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("The request body is larger than this server's limit of {limit} bytes"),
        )
    } else {
        target.early_error(
            StatusCode::BAD_REQUEST,
            &format!("The request body could not be read: {e}"),
        )
    })
}
