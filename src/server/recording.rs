//! The journal's hook in the server: a vendor request is recorded once, however it ends.

use std::sync::Arc;

use crate::api::facade::Facade;
use crate::clock::{Stopwatch, Timestamp};
use crate::journal::{self, Outcome};
use crate::namespace::Namespace;
use crate::wire::{Answer, Incoming};

/// A vendor request on its way through the server, journaled when it ends: [`finish`] with
/// the answer, or, if the request future is dropped before (its client went away: status
/// 499, error `client_closed`) or unwinds (a panic: 500, `wabasim_panic`), by `Drop`.
///
/// [`finish`]: Recording::finish
pub(super) struct Recording {
    ns: Arc<Namespace>,
    /// World time at arrival.
    at: Timestamp,
    /// `None` once journaled.
    request: Option<Incoming>,
    facade: &'static dyn Facade,
    /// The operation, once the facade has classified the request (set through a shared
    /// borrow: the facade reads the request the recording holds while it classifies it).
    operation: std::sync::OnceLock<&'static str>,
    watch: Stopwatch,
}

impl Recording {
    pub(super) fn start(
        ns: Arc<Namespace>,
        request: Incoming,
        facade: &'static dyn Facade,
        watch: Stopwatch,
    ) -> Recording {
        Recording {
            at: ns.now(),
            ns,
            request: Some(request),
            facade,
            operation: std::sync::OnceLock::new(),
            watch,
        }
    }

    pub(super) fn request(&self) -> &Incoming {
        self.request.as_ref().expect("journaled only once")
    }

    pub(super) fn request_mut(&mut self) -> &mut Incoming {
        self.request.as_mut().expect("journaled only once")
    }

    pub(super) fn classified(&self, operation: &'static str) {
        let _ = self.operation.set(operation);
    }

    /// Journals the request with its answer, taking the answer's error and fault.
    pub(super) fn finish(mut self, answer: &mut Answer) {
        let error = answer.error.take();
        let fault = answer.fault.take();
        let body = answer.body.clone();
        self.record(answer.operation, answer.status.as_u16(), error, fault, body);
    }

    fn record(
        &mut self,
        operation: &'static str,
        status: u16,
        error: Option<String>,
        fault: Option<String>,
        answer: bytes::Bytes,
    ) {
        let Some(request) = self.request.take() else {
            return;
        };
        let micros = self.watch.elapsed_micros();
        // One line per request at info (the macro checks the level before building anything):
        // ids and numbers only, never a parameter, header or body, which may hold tokens,
        // secrets, codes or PINs.
        tracing::debug!(
            target: "wabasim::request",
            namespace = self.ns.name.as_str(),
            facade = self.facade.id(),
            operation,
            status,
            latency_us = micros,
            "request"
        );
        let outcome = Outcome {
            facade: self.facade.id(),
            secrets: self.facade.secret_params(),
            operation,
            status,
            error,
            fault,
            micros,
            answer,
        };
        let entry = self.ns.journal.entry(self.at, request, outcome);
        self.ns.journal.record(entry);
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if self.request.is_none() {
            return;
        }
        let (status, error) = if std::thread::panicking() {
            (500, journal::PANICKED)
        } else {
            (journal::CLIENT_CLOSED_STATUS, journal::CLIENT_CLOSED)
        };
        let operation = self
            .operation
            .get()
            .copied()
            .unwrap_or(journal::UNCLASSIFIED);
        // No answer went out: the entry has none.
        self.record(
            operation,
            status,
            Some(error.to_string()),
            None,
            bytes::Bytes::new(),
        );
    }
}
