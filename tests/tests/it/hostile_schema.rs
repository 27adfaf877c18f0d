//! Attacks on the document's schema: a participant with a crafted Yjs update overwrites or
//! removes the containers the server made (issue 12, item 6), or nests shared types deeper and
//! deeper over many small updates until stock clients crash on sync (item 8).
//!
//! Before: every update below passed; the format's field became a plain string for everyone,
//! the list disappeared, and a 9,900-deep chain was accepted (only the number of types was
//! bounded). Now each is refused with 1008 and the session goes on.

use std::time::Duration;

use werkplaats_protocol::close;
use werkplaats_protocol::workshop::schema;
use werkplaats_server::Config;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_tests::{TestServer, YClient, eventually};
use yrs::{GetString, Map, MapPrelim, MapRef, Out, ReadTxn, StateVector, Text, Transact};

/// The first connection format's map and the key of its first text field, by key order (a
/// map's iteration order differs from replica to replica).
fn a_format_field(client: &YClient) -> (MapRef, String) {
    let formats = client.doc.get_or_insert_map(schema::FORMATS);
    let txn = client.doc.transact();
    let format = formats
        .iter(&txn)
        .filter_map(|(key, value)| match value {
            Out::YMap(map) => Some((key.to_owned(), map)),
            _ => None,
        })
        .min_by(|a, b| a.0.cmp(&b.0))
        .expect("the built-in template has a connection format")
        .1;
    let field = format
        .iter(&txn)
        .filter_map(|(key, value)| matches!(value, Out::YText(_)).then(|| key.to_owned()))
        .min()
        .expect("a format has text fields");
    (format, field)
}

fn field_text(client: &YClient, format: &MapRef, field: &str) -> Option<String> {
    let txn = client.doc.transact();
    match format.get(&txn, field) {
        Some(Out::YText(text)) => Some(text.get_string(&txn)),
        _ => None,
    }
}

async fn participant(server: &TestServer, session_id: &str, code: &str, name: &str) -> YClient {
    let joined = server.join(code, name).await;
    let client = YClient::connect(&server.ws_url(session_id, &joined.participant_token))
        .await
        .unwrap();
    assert!(client.wait_synced().await);
    client
}

async fn assert_refused(client: &YClient) {
    let closed = client.wait_closed().await.expect("the attacker is closed");
    assert_eq!(closed.code, close::POLICY_VIOLATION, "{}", closed.reason);
    assert!(
        closed.reason.contains("update refused"),
        "{}",
        closed.reason
    );
}

#[tokio::test]
async fn a_participant_cannot_overwrite_or_remove_the_servers_containers() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let facilitator = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    assert!(facilitator.wait_synced().await);

    // Overwrite a format's text field with a plain string.
    let mallory = participant(&server, &session.id, &session.join_code, "Mallory").await;
    let (format, field) = a_format_field(&mallory);
    mallory
        .edit(|txn| {
            format.insert(txn, field.as_str(), "weg");
        })
        .await;
    assert_refused(&mallory).await;

    // Remove a list the server made.
    let mallory = participant(&server, &session.id, &session.join_code, "Mallory 2").await;
    let lists = mallory.doc.get_or_insert_map(schema::LISTS);
    let list_id = {
        let txn = mallory.doc.transact();
        lists.keys(&txn).next().expect("a list").to_owned()
    };
    mallory.edit(|txn| drop(lists.remove(txn, &list_id))).await;
    assert_refused(&mallory).await;

    // Use a root container as a text: the characters would land in the container itself.
    let mallory = participant(&server, &session.id, &session.join_code, "Mallory 3").await;
    mallory
        .edit_text(schema::NOTES, |text, txn| text.insert(txn, 0, "rommel"))
        .await;
    assert_refused(&mallory).await;

    // Honest typing into the same field goes on, and everyone still has the containers.
    let ans = participant(&server, &session.id, &session.join_code, "Ans").await;
    let (format, field) = a_format_field(&ans);
    ans.edit(|txn| {
        let Some(Out::YText(text)) = format.get(txn, &field) else {
            panic!("the field is a text")
        };
        text.insert(txn, 0, "de bibliotheek");
    })
    .await;
    let (seen_format, _) = a_format_field(&facilitator);
    assert!(
        eventually(Duration::from_secs(5), || field_text(
            &facilitator,
            &seen_format,
            &field
        )
        .as_deref()
            == Some("de bibliotheek"))
        .await
    );
    assert!(ans.closed().is_none());
    let fresh = participant(&server, &session.id, &session.join_code, "Bram").await;
    let lists = fresh.doc.get_or_insert_map(schema::LISTS);
    assert!(lists.contains_key(&fresh.doc.transact(), &list_id));
}

/// Some stock clients send back every transaction they apply (pycrdt's `Provider`), the
/// server's own containers included: what changes nothing must keep working.
#[tokio::test]
async fn an_echo_of_everything_a_client_received_passes() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let echo = participant(&server, &session.id, &session.join_code, "Echo").await;
    let everything = echo
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    echo.send_frame(werkplaats_protocol::message::Message::Update(&everything).encode())
        .await;
    let (format, field) = a_format_field(&echo);
    echo.edit(|txn| {
        let Some(Out::YText(text)) = format.get(txn, &field) else {
            panic!("the field is a text")
        };
        text.insert(txn, 0, "echo");
    })
    .await;
    let check = participant(&server, &session.id, &session.join_code, "Check").await;
    let (format, field) = a_format_field(&check);
    assert!(
        eventually(Duration::from_secs(5), || field_text(
            &check, &format, &field
        )
        .as_deref()
            == Some("echo"))
        .await
    );
    assert!(echo.closed().is_none(), "{:?}", echo.closed());
}

/// A chain of nested maps grown eight levels per update in a free root: the update that would
/// pass the depth limit is refused, however many updates the chain was spread over.
#[tokio::test]
async fn a_chain_of_types_grown_over_many_updates_stops_at_the_depth_limit() {
    let mut config = Config::for_tests();
    config.doc.max_type_depth = 40;
    let server = TestServer::start_with(config, std::sync::Arc::new(MemoryStore::new())).await;
    let session = server.create_session().await;
    let builder = participant(&server, &session.id, &session.join_code, "Diep").await;
    let root = builder.doc.get_or_insert_map("eigen");
    let mut deepest: Option<MapRef> = None;
    // Six updates of eight levels: the first five reach depth 40, the sixth would pass it.
    for _ in 0..6 {
        builder
            .edit(|txn| {
                for _ in 0..8 {
                    let parent = deepest.as_ref().unwrap_or(&root);
                    deepest = Some(parent.insert(txn, "k", MapPrelim::default()));
                }
            })
            .await;
    }
    let closed = builder.wait_closed().await.expect("the chain was cut off");
    assert_eq!(closed.code, close::POLICY_VIOLATION);
    assert!(closed.reason.contains("depth"), "{}", closed.reason);

    // A new client syncs the session, and the chain it gets is 40 deep.
    let reader = participant(&server, &session.id, &session.join_code, "Lezer").await;
    let mut map = reader.doc.get_or_insert_map("eigen");
    let txn = reader.doc.transact();
    let mut seen = 0;
    while let Some(Out::YMap(inner)) = map.get(&txn, "k") {
        map = inner;
        seen += 1;
    }
    assert_eq!(seen, 40);
}
