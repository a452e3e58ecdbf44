//! `wabasim proxy`: a recording proxy in front of the real services. Each request is told to
//! a facade the way the simulator tells them apart (`facade::claiming`), forwarded to that
//! facade's upstream over TLS, answered to the client unchanged, and written to the recording
//! with its secrets redacted (`redact.rs`).

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as HyperBody;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use parking_lot::Mutex;

use super::recording::{Body, Exchange, RecordedRequest, RecordedResponse, Writer};
use super::redact::Redaction;
use crate::api::facade::{self, Facade};

/// Largest request or answer body the proxy forwards, by default (`--max-body-bytes`).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How long the proxy waits for an upstream's whole answer, by default (`--upstream-timeout`).
pub const DEFAULT_UPSTREAM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Where each facade's requests go: `ID=URL` pairs, and one bare URL for the rest.
#[derive(Clone, Debug, Default)]
pub struct Upstreams {
    by_facade: Vec<(&'static str, Uri)>,
    fallback: Option<Uri>,
}

impl Upstreams {
    /// Reads `--upstream` values: `graph=https://graph.facebook.com`, or a bare URL for every
    /// facade without its own.
    pub fn parse(values: &[String]) -> Result<Upstreams, String> {
        let mut upstreams = Upstreams::default();
        for value in values {
            let (id, url) = match value.split_once('=') {
                Some((id, url)) if !id.contains('/') && !id.contains(':') => (Some(id), url),
                _ => (None, value.as_str()),
            };
            let uri: Uri = url
                .parse()
                .map_err(|e| format!("--upstream {value}: not a URL ({e})"))?;
            if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.authority().is_none() {
                return Err(format!(
                    "--upstream {value}: needs http:// or https:// and a host"
                ));
            }
            match id {
                Some(id) => {
                    let facade = facade::by_id(id).ok_or_else(|| {
                        format!(
                            "--upstream {value}: no facade {id:?} (facades: {:?})",
                            facade::ids()
                        )
                    })?;
                    upstreams.by_facade.push((facade.id(), uri));
                }
                None => upstreams.fallback = Some(uri),
            }
        }
        if upstreams.by_facade.is_empty() && upstreams.fallback.is_none() {
            return Err("give at least one --upstream".into());
        }
        Ok(upstreams)
    }

    pub fn for_facade(&self, id: &str) -> Option<&Uri> {
        self.by_facade
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, u)| u)
            .or(self.fallback.as_ref())
    }
}

/// What `wabasim proxy` was asked for.
pub struct Settings {
    pub upstreams: Upstreams,
    pub record: PathBuf,
    pub max_body_bytes: usize,
    pub upstream_timeout: std::time::Duration,
    /// A PEM file of extra roots to trust besides Mozilla's (`--upstream-ca`).
    pub upstream_ca: Option<PathBuf>,
}

/// Mozilla's roots (compiled in), and the certificates of `extra` if given.
fn tls_config(extra: Option<&std::path::Path>) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra {
        let shown = path.display();
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("--upstream-ca {shown}: {e}"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--upstream-ca {shown}: {e}"))?;
        if certs.is_empty() {
            return Err(format!("--upstream-ca {shown}: no PEM certificate in it"));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| format!("--upstream-ca {shown}: {e}"))?;
        }
    }
    // The crate's one provider (ring, the only one enabled), safe default versions.
    Ok(rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth())
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

struct Proxy {
    settings: Settings,
    client: HttpsClient,
    redaction: Redaction,
    writer: Mutex<Writer<std::io::BufWriter<std::fs::File>>>,
    seq: std::sync::atomic::AtomicU64,
}

/// Serves until `shutdown` completes. The recording file is created (truncated) first.
pub async fn run(
    listener: tokio::net::TcpListener,
    settings: Settings,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    let tls = tls_config(settings.upstream_ca.as_deref())?;
    let redaction = Redaction::default();
    let file = std::fs::File::create(&settings.record)
        .map_err(|e| format!("{}: {e}", settings.record.display()))?;
    let writer = Writer::start(std::io::BufWriter::new(file), &redaction.header_line())
        .map_err(|e| format!("{}: {e}", settings.record.display()))?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    let proxy = Arc::new(Proxy {
        client: Client::builder(TokioExecutor::new()).build(https),
        settings,
        redaction,
        writer: Mutex::new(writer),
        seq: Default::default(),
    });
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!("proxy: accept failed: {e}");
                    continue;
                }
            },
            _ = &mut shutdown => return Ok(()),
        };
        let proxy = proxy.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let proxy = proxy.clone();
                async move { Ok::<_, std::convert::Infallible>(proxy.forward(req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Headers that belong to one connection, not to the request: never forwarded either way.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "host",
    "content-length",
    // The upstream answers uncompressed, so that the recording holds readable JSON.
    "accept-encoding",
];

fn end_to_end(
    headers: &HeaderMap,
) -> impl Iterator<Item = (&http::HeaderName, &http::HeaderValue)> {
    headers
        .iter()
        .filter(|(name, _)| !HOP_BY_HOP.contains(&name.as_str()))
}

impl Proxy {
    async fn forward(&self, req: Request<HyperBody>) -> Response<Full<Bytes>> {
        let at = crate::clock::wall_now().rfc3339();
        let facade = facade::claiming(req.uri(), req.headers());
        let Some(base) = self.settings.upstreams.for_facade(facade.id()) else {
            return refuse(
                facade,
                StatusCode::BAD_GATEWAY,
                "wabasim proxy: no --upstream for this facade",
            );
        };
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, self.settings.max_body_bytes)
            .collect()
            .await
        {
            Ok(b) => b.to_bytes(),
            Err(_) => {
                return refuse(
                    facade,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "wabasim proxy: request body over --max-body-bytes",
                );
            }
        };
        let path = parts.uri.path().to_string();
        let query = parts.uri.query().unwrap_or("").to_string();
        let target = match upstream_uri(base, &path, &query) {
            Ok(u) => u,
            Err(e) => return refuse(facade, StatusCode::BAD_REQUEST, &e),
        };
        let mut out = Request::builder().method(parts.method.clone()).uri(target);
        for (name, value) in end_to_end(&parts.headers) {
            out = out.header(name, value);
        }
        let Ok(out) = out.body(Full::new(body.clone())) else {
            return refuse(
                facade,
                StatusCode::BAD_REQUEST,
                "wabasim proxy: request cannot be forwarded",
            );
        };
        let watch = crate::clock::Stopwatch::start();
        let answer = tokio::time::timeout(self.settings.upstream_timeout, async {
            let res = self.client.request(out).await.map_err(|e| e.to_string())?;
            let (head, body) = res.into_parts();
            let body = Limited::new(body, self.settings.max_body_bytes)
                .collect()
                .await
                .map_err(|e| format!("answer body: {e}"))?
                .to_bytes();
            Ok::<_, String>((head, body))
        })
        .await;
        let (head, answer_body) = match answer {
            Ok(Ok(x)) => x,
            Ok(Err(e)) => {
                tracing::warn!("proxy: {} {path}: upstream failed: {e}", parts.method);
                return refuse(
                    facade,
                    StatusCode::BAD_GATEWAY,
                    "wabasim proxy: the upstream did not answer",
                );
            }
            Err(_) => {
                return refuse(
                    facade,
                    StatusCode::GATEWAY_TIMEOUT,
                    "wabasim proxy: the upstream took longer than --upstream-timeout",
                );
            }
        };
        let elapsed_ms = watch.elapsed_micros() as f64 / 1000.0;
        self.record(
            facade,
            base,
            at,
            elapsed_ms,
            &parts,
            &path,
            &query,
            &body,
            &head,
            &answer_body,
        );
        let mut res = Response::builder().status(head.status);
        for (name, value) in end_to_end(&head.headers) {
            res = res.header(name, value);
        }
        res.body(Full::new(answer_body))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        facade: &dyn Facade,
        base: &Uri,
        at: String,
        elapsed_ms: f64,
        parts: &http::request::Parts,
        path: &str,
        query: &str,
        body: &[u8],
        head: &http::response::Parts,
        answer_body: &[u8],
    ) {
        let r = &self.redaction;
        let headers = |h: &HeaderMap| -> Vec<(String, String)> {
            end_to_end(h)
                .map(|(n, v)| {
                    let value = String::from_utf8_lossy(v.as_bytes());
                    (n.as_str().to_string(), r.header(n.as_str(), &value))
                })
                .collect()
        };
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let seq = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let exchange = Exchange {
            seq,
            facade: facade.id().to_string(),
            upstream: base.to_string(),
            at,
            elapsed_ms,
            request: RecordedRequest {
                method: parts.method.to_string(),
                path: path.to_string(),
                query: r.form(query),
                headers: headers(&parts.headers),
                body: Body::from_bytes(&r.request_body(content_type, body)),
            },
            response: RecordedResponse {
                status: head.status.as_u16(),
                headers: headers(&head.headers),
                body: Body::from_bytes(&r.answer_body(answer_body)),
            },
        };
        if let Err(e) = self.writer.lock().write(&exchange) {
            tracing::error!("proxy: cannot write the recording: {e}");
        }
    }
}

/// The upstream's URL for a request: the upstream's scheme and host, its path prefix (if any)
/// and the request's path and query.
fn upstream_uri(base: &Uri, path: &str, query: &str) -> Result<Uri, String> {
    let prefix = base.path().trim_end_matches('/');
    let mut text = format!(
        "{}://{}{prefix}{path}",
        base.scheme_str().unwrap_or("https"),
        base.authority().map(|a| a.as_str()).unwrap_or("")
    );
    if !query.is_empty() {
        text.push('?');
        text.push_str(query);
    }
    text.parse()
        .map_err(|e| format!("wabasim proxy: bad target URL: {e}"))
}

fn refuse(facade: &dyn Facade, status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let answer = facade.early_error(status, text);
    let mut res = Response::new(Full::new(answer.body));
    *res.status_mut() = answer.status;
    *res.headers_mut() = answer.headers;
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams_by_facade_and_a_fallback() {
        let u = Upstreams::parse(&[
            "cams=https://cams.ap-southeast-1.aliyuncs.com".into(),
            "https://graph.facebook.com".into(),
        ])
        .unwrap();
        assert_eq!(
            u.for_facade("cams").unwrap().host(),
            Some("cams.ap-southeast-1.aliyuncs.com")
        );
        assert_eq!(
            u.for_facade("graph").unwrap().host(),
            Some("graph.facebook.com")
        );
        assert!(
            Upstreams::parse(&["nope=https://x".into()])
                .unwrap_err()
                .contains("no facade")
        );
        assert!(Upstreams::parse(&["ftp://x".into()]).is_err());
        assert!(Upstreams::parse(&[]).is_err());
    }

    #[test]
    fn the_target_keeps_the_upstream_prefix_and_the_query() {
        let base: Uri = "http://127.0.0.1:9/prefix/".parse().unwrap();
        let t = upstream_uri(&base, "/v23.0/1", "fields=id").unwrap();
        assert_eq!(t.to_string(), "http://127.0.0.1:9/prefix/v23.0/1?fields=id");
    }
}
