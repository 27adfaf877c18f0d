//! A few seconds of the load generator against the real server, in-process, and against the
//! relay: correctness only (nothing lost, replicas converge), no timings.

use std::sync::Arc;

use werkplaats_loadgen::scenario::{Ctx, s1, s3, s4};
use werkplaats_loadgen::target::{Kind, Target};
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_server::{Config, Server};

async fn ours() -> (Server, Ctx) {
    let mut config = Config::for_tests();
    // S4: every client joins with the code; stages of 200-500 ms.
    config.join_per_minute = 10_000;
    config.minute_ms = 100;
    let server = Server::start(config, Arc::new(MemoryStore::new()))
        .await
        .expect("server starts");
    let ctx = Ctx::new(Target::new(Kind::Ours, server.local_addr()), None);
    (server, ctx)
}

fn assert_ok(result: &serde_json::Value) {
    assert_eq!(result["ok"], true, "{result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s1_fan_out_loses_nothing_and_converges() {
    let (server, ctx) = ours().await;
    let p = s1::S1 {
        sessions: 1,
        clients: 5,
        writers: 5,
        rate: 5.0,
        seconds: 2.0,
    };
    let result = s1::run(&ctx, &p).await.unwrap();
    assert_ok(&result);
    assert_eq!(result["expected"], 5 * 4 * 10);
    assert_eq!(result["delivered"], result["expected"]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s1_with_one_writer_in_each_of_many_sessions() {
    let (server, ctx) = ours().await;
    let p = s1::S1 {
        sessions: 3,
        clients: 4,
        writers: 1,
        rate: 5.0,
        seconds: 2.0,
    };
    let result = s1::run(&ctx, &p).await.unwrap();
    assert_ok(&result);
    // Per session: one writer's 10 edits to each of 3 receivers.
    assert_eq!(result["expected"], 3 * 3 * 10);
    assert_eq!(result["delivered"], result["expected"]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_joiners_get_the_whole_document() {
    let (server, ctx) = ours().await;
    let p = s3::S3 {
        ops: 3_000,
        joiners: 5,
    };
    let result = s3::run(&ctx, &p).await.unwrap();
    assert_ok(&result);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s4_carousel_stage_changes_reach_every_client() {
    let (server, ctx) = ours().await;
    let p = s4::S4 {
        clients: 20,
        changes: 5,
        interval_ms: 100,
        lead_ms: 150.0,
    };
    let result = s4::run(&ctx, &p).await.unwrap();
    assert_ok(&result);
    assert_eq!(result["driven_by"], "carousel");
    assert_eq!(result["participants_joined"], 18);
    assert_eq!(result["changes"], 5, "one round of five stages");
    assert_eq!(result["command_changes"], 5);
    assert_eq!(
        result["stage_ms"],
        serde_json::json!([200.0, 300.0, 500.0, 300.0, 200.0])
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_relays() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, werkplaats_loadgen::relay::router())
            .await
            .unwrap()
    });
    let ctx = Ctx::new(Target::new(Kind::Relay, addr), None);
    let p = s1::S1 {
        sessions: 1,
        clients: 3,
        writers: 3,
        rate: 5.0,
        seconds: 1.0,
    };
    assert_ok(&s1::run(&ctx, &p).await.unwrap());
    // The peers' S4: a stage written into the document.
    let p = s4::S4 {
        clients: 5,
        changes: 3,
        interval_ms: 50,
        lead_ms: 150.0,
    };
    let result = s4::run(&ctx, &p).await.unwrap();
    assert_ok(&result);
    assert_eq!(result["driven_by"], "map write");
}
