//! A URI over `--max-uri-bytes` is answered 414 with a JSON body in the facade's own shape
//! (alibaba-cams-errors.md L6: an empty 414 made the Alibaba SDK fail to parse it), and
//! journaled like any refused request.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wabasim::{RequestFilter, Simulator};

async fn get(sim: &Simulator, target: &str) -> (u16, serde_json::Value) {
    let mut conn = tokio::net::TcpStream::connect(sim.address()).await.unwrap();
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    conn.read_to_end(&mut reply).await.unwrap();
    let reply = String::from_utf8_lossy(&reply);
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    (status, body)
}

#[tokio::test]
async fn a_uri_over_the_limit_is_answered_414_in_each_facades_shape() {
    let sim = Simulator::start().await.unwrap();
    let long = "x".repeat(62_000);

    let (status, body) = get(&sim, &format!("/v23.0/110000000000001?fields={long}")).await;
    assert_eq!(status, 414, "{body}");
    assert!(
        body["error"]["message"].is_string(),
        "Graph's envelope: {body}"
    );

    let (status, body) = get(
        &sim,
        &format!("/?Action=QueryChatappBindWaba&Version=2020-06-06&CustSpaceId={long}"),
    )
    .await;
    assert_eq!(status, 414, "{body}");
    assert!(
        body["Code"].is_string() && body["RequestId"].is_string(),
        "{body}"
    );

    let refused = sim.journal().count(&RequestFilter::new().status(414));
    assert_eq!(refused, 2);

    // Under the limit the request is read as usual.
    let (status, _) = get(
        &sim,
        &format!("/v23.0/110000000000001?fields={}", "x".repeat(1000)),
    )
    .await;
    assert_ne!(status, 414);
}
