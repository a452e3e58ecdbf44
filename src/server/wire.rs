//! How an answer goes on the wire: whole, or cut short, or not at all (a scripted fault's
//! [`Delivery`]), as hyper's response body.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::HeaderValue;
use http_body_util::{Either, Full};
use hyper::body::Frame;

use crate::faults::Delivery;
use crate::wire::Answer;

/// The connection was closed on purpose (a fault); hyper drops it without an answer.
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by a scripted fault")
    }
}

impl std::error::Error for Dropped {}

/// A response body: whole, or cut short.
pub type Body = Either<Full<Bytes>, Truncated>;

/// A body that sends its bytes and then fails, so hyper aborts the connection after them.
/// Its length is unknown to hyper, which therefore trusts the `Content-Length` the head
/// announces: the whole body's.
pub struct Truncated {
    part: Option<Bytes>,
    /// Whether hyper was given one chance to flush what it has before the failure.
    flushed: bool,
}

impl hyper::body::Body for Truncated {
    type Data = Bytes;
    type Error = Dropped;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Dropped>>> {
        if let Some(part) = self.part.take() {
            return Poll::Ready(Some(Ok(Frame::data(part))));
        }
        if !self.flushed {
            // Pending makes hyper flush the head and the part before it polls again.
            self.flushed = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Some(Err(Dropped)))
    }
}

/// The HTTP response for `answer` delivered as `delivery`, or `Err(Dropped)` to close the
/// connection.
pub fn respond(delivery: Delivery, answer: Answer) -> Result<http::Response<Body>, Dropped> {
    match delivery {
        Delivery::Whole => Ok(answer.into_response().map(Either::Left)),
        Delivery::Close => Err(Dropped),
        Delivery::Truncate(cut) => {
            // The announced length always exceeds what is sent, so the client sees a cut
            // answer whatever `truncate` asked for (an empty body announces one byte).
            let full = answer.body.len().max(1);
            let part = answer
                .body
                .slice(..cut.min(full - 1).min(answer.body.len()));
            let mut response = answer.into_response().map(|_| {
                Either::Right(Truncated {
                    part: Some(part),
                    flushed: false,
                })
            });
            response
                .headers_mut()
                .insert(http::header::CONTENT_LENGTH, HeaderValue::from(full));
            Ok(response)
        }
    }
}

/// A whole answer.
pub fn whole(answer: Answer) -> Result<http::Response<Body>, Dropped> {
    respond(Delivery::Whole, answer)
}
