//! A test-only vendor, compiled into the library's unit tests alone: the proof that a facade
//! is one file and one line in `facade::FACADES`. It claims paths under `/echo/`, has two
//! operations (`echo_say`, `echo_whisper`), one secret parameter (`echo_key`) and one route
//! hint, and answers `{"said": ...}`. Nothing outside this file and the list names it, yet it
//! gets routing, faults (`match.facade`, `match.operation`), journal entries with its
//! operation names and redaction, unmatched hints, and its world binding saved by `serve
//! --state`.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::json;

use super::facade::{self, Facade, FacadeId, Served, Serving};
use super::unmatched::{Explanation, Reason};
use super::{Answer, Incoming};
use crate::faults::{PreparedCall, Throttle};
use crate::namespace::Namespace;
use crate::world::DomainError;

pub struct Echo;

struct Call {
    operation: &'static str,
    targets: Vec<String>,
    said: String,
}

fn answer(status: StatusCode, body: serde_json::Value, operation: &'static str) -> Answer {
    let mut a = Answer::json(status, Bytes::from(body.to_string()));
    a.facade = "echo";
    a.operation = operation;
    if status.as_u16() >= 400 {
        a.error = Some(format!("echo/{}", status.as_u16()));
    }
    a
}

impl Facade for Echo {
    fn id(&self) -> FacadeId {
        "echo"
    }

    fn claims(&self, uri: &Uri, _headers: &HeaderMap) -> bool {
        uri.path().starts_with("/echo/")
    }

    fn operations(&self) -> &'static [&'static str] {
        &["echo_say", "echo_whisper"]
    }

    fn secret_params(&self) -> &'static [&'static str] {
        &["echo_key"]
    }

    fn serve<'a>(&'a self, call: Serving<'a>) -> Served<'a> {
        facade::run_later(call, prepare(call.req))
    }

    fn early_error(&self, status: StatusCode, text: &str) -> Answer {
        answer(status, json!({"echo_error": text}), "unmatched")
    }

    fn internal_error(&self) -> Answer {
        let body = json!({"echo_error": "internal"});
        answer(StatusCode::INTERNAL_SERVER_ERROR, body, "unclassified")
    }

    fn explain_unmatched(&self, _method: &Method, _path: &str) -> Option<Explanation> {
        Some(Explanation {
            reason: Reason::NoRoute,
            closest: vec!["POST /echo/say".into()],
        })
    }

    fn binding_codec(&self) -> Option<facade::BindingCodec> {
        Some(facade::BindingCodec::of::<EchoBinding>())
    }
}

/// What echo keeps in a world: saved with it by `serve --state` through the codec above.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct EchoBinding {
    said: Vec<String>,
}

impl crate::world::bindings::Binding for EchoBinding {
    const FACADE: &'static str = "echo";
}

/// Reads an echo request (async, as a facade that reads multipart bodies would be).
async fn prepare(req: &Incoming) -> Result<Call, Answer> {
    let operation = match (&req.method, req.path.as_str()) {
        (&Method::POST, "/echo/say") => "echo_say",
        (&Method::POST, "/echo/whisper") => "echo_whisper",
        _ => {
            let body = json!({"echo_error": "no such route"});
            return Err(answer(StatusCode::NOT_FOUND, body, "unmatched"));
        }
    };
    let said = String::from_utf8_lossy(&req.body).into_owned();
    let call = Call {
        operation,
        targets: vec![said.clone()],
        said,
    };
    Ok(call)
}

impl PreparedCall for Call {
    fn facade(&self) -> &'static str {
        "echo"
    }

    fn operation(&self) -> &'static str {
        self.operation
    }

    fn targets(&self) -> &[String] {
        &self.targets
    }

    fn execute(&self, _ns: &Namespace) -> Answer {
        answer(StatusCode::OK, json!({"said": self.said}), self.operation)
    }

    fn render_error(&self, _ns: &Namespace, e: &DomainError, status: Option<u16>) -> Answer {
        let status = status.and_then(|s| StatusCode::from_u16(s).ok());
        let body = json!({"echo_error": e.name()});
        answer(
            status.unwrap_or(StatusCode::BAD_REQUEST),
            body,
            self.operation,
        )
    }

    fn render_throttle(&self, _ns: &Namespace, _t: &Throttle) -> Answer {
        let body = json!({"echo_error": "slow down"});
        answer(StatusCode::TOO_MANY_REQUESTS, body, self.operation)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::api::filter::RequestFilter;

    #[test]
    fn its_binding_is_saved_with_the_world_and_one_no_facade_saves_fails_the_save() {
        use crate::fixture::Fixture;
        use crate::namespace::Registry;
        use crate::snapshot::{MAX_BYTES, load, save};
        let dir = std::env::temp_dir().join(format!("wabasim-echo-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let registry = Registry::new(Fixture::default_world(), 10).unwrap();
        registry.default_namespace().with_world(|w| {
            w.binding_mut::<super::EchoBinding>()
                .said
                .push("hello".into());
        });
        save(&registry, &path, MAX_BYTES).unwrap();
        let fresh = Registry::new(Fixture::default_world(), 10).unwrap();
        assert_eq!(load(&fresh, &path, MAX_BYTES).unwrap(), Some(1));
        let said = fresh
            .default_namespace()
            .read_world(|w| w.binding::<super::EchoBinding>().map(|b| b.said.clone()));
        assert_eq!(said, Some(vec!["hello".to_string()]));

        #[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
        struct Orphan;
        impl crate::world::bindings::Binding for Orphan {
            const FACADE: &'static str = "orphan";
        }
        registry.default_namespace().with_world(|w| {
            w.binding_mut::<Orphan>();
        });
        let before = std::fs::read(&path).unwrap();
        let err = save(&registry, &path, MAX_BYTES).unwrap_err().to_string();
        assert!(
            err.contains("facade orphan") && err.contains("binding_codec"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "left as it was");
        let _ = std::fs::remove_dir_all(&dir);
    }

    async fn call(sim: &crate::Simulator, head: &str, body: &str) -> (u16, Value) {
        let mut conn = tokio::net::TcpStream::connect(sim.address()).await.unwrap();
        let request = format!(
            "{head} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(request.as_bytes()).await.unwrap();
        let mut reply = String::new();
        conn.read_to_string(&mut reply).await.unwrap();
        let (head, body) = reply.split_once("\r\n\r\n").unwrap();
        (
            head[9..12].parse().unwrap(),
            serde_json::from_str(body).unwrap(),
        )
    }

    #[tokio::test]
    async fn a_facade_of_one_file_gets_routing_faults_journal_and_hints() {
        let sim = crate::Simulator::start().await.unwrap();

        // Routing: the list sends /echo/ here, everything else still to Graph and cams.
        let (status, body) = call(&sim, "POST /echo/say", "hello").await;
        assert_eq!((status, body["said"].as_str()), (200, Some("hello")));

        // Faults: match.facade and match.operation are validated against the list and match.
        let (status, body) = call(
            &sim,
            "POST /__admin/faults",
            r#"{"match":{"facade":"echo","operation":"echo_whisper"},"times":1,"error":"internal_error","status":503}"#,
        )
        .await;
        assert_eq!((status, &body["id"]), (200, &Value::from("fault-1")));
        let (status, body) = call(&sim, "POST /echo/whisper", "psst").await;
        assert_eq!(
            (status, &body["echo_error"]),
            (503, &Value::from("internal_error"))
        );
        let (status, body) = call(
            &sim,
            "POST /__admin/faults",
            r#"{"match":{"facade":"echo","operation":"echo_shout"},"error":"internal_error"}"#,
        )
        .await;
        assert_eq!(status, 400, "an operation the facade does not have: {body}");

        // Journal: its operation names, its redaction, and its unmatched hints.
        let (status, _) = call(&sim, "POST /echo/say?echo_key=s3cret&x=1", "").await;
        assert_eq!(status, 200);
        let (status, _) = call(&sim, "POST /echo/sya", "").await;
        assert_eq!(status, 404);
        let journal = sim.journal();
        assert_eq!(journal.count(&RequestFilter::new().facade("echo")), 4);
        assert_eq!(
            journal.count(&RequestFilter::new().operation("echo_whisper")),
            1
        );
        let (_, listed) = call(&sim, "GET /__admin/requests?facade=echo", "").await;
        let listed = listed["requests"].as_array().unwrap();
        let keyed = &listed[2];
        assert_eq!(keyed["params"]["echo_key"], "[redacted]", "{keyed}");
        assert_eq!(keyed["params"]["x"], "1");
        assert_eq!(listed[1]["fault"], "fault-1", "{}", listed[1]);
        let (_, unmatched) = call(&sim, "GET /__admin/requests/unmatched", "").await;
        let hint = &unmatched["requests"][0]["unmatched"];
        assert_eq!(hint["closest"][0], "POST /echo/say", "{unmatched}");

        // Graph is still Graph.
        let (_, body) = call(&sim, "GET /v23.0/110000000000001?access_token=x", "").await;
        assert_eq!(body["error"]["code"], 190, "{body}");
    }
}
