//! The commit pipeline: while one batch's writes are under way the session applies the next,
//! and still delivers nothing before its own writes are done. The session runs in-process on a
//! store whose appends wait for the test's permission, under paused time (a wait for "nothing
//! arrives" is then exact, not a guess at a timeout).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::oneshot;
use werkplaats_protocol::control::Role;
use werkplaats_protocol::message::Message;
use werkplaats_protocol::update::{UpdateLimits, validate_update_v1};
use werkplaats_server::session::{ClientMsg, Closer, ConnLink, SessionCmd, outbound};
use werkplaats_tests::inprocess::{GatedStore, InProcessConn, session_with_store};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, ReadTxn, Text, Transact, Update};

/// A replica of the session's document on the test's side of a connection.
struct Replica {
    doc: Doc,
}

impl Replica {
    fn new(client_id: u64) -> Self {
        Self {
            doc: Doc::with_client_id(client_id),
        }
    }

    async fn sync(&self, conn: &mut InProcessConn) {
        let sv = self.doc.transact().state_vector().encode_v1();
        conn.send(ClientMsg::SyncStep1(Bytes::from(sv))).await;
        loop {
            let frame = conn.next_message().await;
            if let Ok(Message::SyncStep2(update)) = Message::decode(&frame) {
                self.apply(update);
                return;
            }
        }
    }

    fn apply(&self, update: &[u8]) {
        let update = Update::decode_v1(update).expect("valid update");
        self.doc
            .transact_mut()
            .apply_update(update)
            .expect("applies");
    }

    /// Types `text` at the end of a shared text and sends the update.
    async fn type_text(&self, conn: &InProcessConn, text: &str) {
        let notes = self.doc.get_or_insert_text("pipeline-notes");
        let before = self.doc.transact().state_vector();
        {
            let mut txn = self.doc.transact_mut();
            let end = notes.len(&txn);
            notes.insert(&mut txn, end, text);
        }
        let update = self.doc.transact().encode_state_as_update_v1(&before);
        let summary = validate_update_v1(&update, &UpdateLimits::default()).expect("valid");
        conn.send(ClientMsg::Update {
            update: Bytes::from(update),
            summary: Box::new(summary),
        })
        .await;
    }

    fn notes(&self) -> String {
        let notes = self.doc.get_or_insert_text("pipeline-notes");
        notes.get_string(&self.doc.transact())
    }
}

/// Document updates that reached `conn` so far, without waiting for more (virtual time runs
/// on only when every task waits, so the session has done all it can by then).
async fn updates_so_far(conn: &mut InProcessConn) -> Vec<Vec<u8>> {
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut updates = Vec::new();
    while let Ok(frame) = conn.frames.try_recv() {
        match Message::decode(&frame) {
            Ok(Message::Update(update)) | Ok(Message::SyncStep2(update)) => {
                updates.push(update.to_vec())
            }
            _ => {}
        }
    }
    updates
}

/// Waits until the store was asked for `n` appends since the gate closed.
async fn appends_asked(store: &GatedStore, before: usize, n: usize) -> Vec<usize> {
    for _ in 0..100 {
        let appends = store.appends();
        if appends.len() >= before + n {
            return appends[before..].to_vec();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "the store was not asked for {n} appends: {:?}",
        store.appends()
    );
}

#[tokio::test(start_paused = true)]
async fn the_next_batch_is_applied_while_one_is_in_flight_and_each_is_delivered_after_its_own_append()
 {
    let store = Arc::new(GatedStore::default());
    let (_registry, mut conns) = session_with_store(
        store.clone(),
        &[
            (Role::Participant, "Typist"),
            (Role::Participant, "Reader"),
            (Role::Participant, "Late"),
        ],
    )
    .await;
    let typist = Replica::new(1);
    let reader = Replica::new(2);
    let late = Replica::new(3);
    typist.sync(&mut conns[0]).await;
    reader.sync(&mut conns[1]).await;
    updates_so_far(&mut conns[1]).await;

    store.close();
    let before = store.appends().len();
    typist.type_text(&conns[0], "first ").await;
    assert_eq!(appends_asked(&store, before, 1).await, vec![1]);
    // Batch 2 while batch 1 is in flight: an edit, and a late joiner's sync step 1.
    typist.type_text(&conns[0], "second").await;
    let late_sv = late.doc.transact().state_vector().encode_v1();
    conns[2]
        .send(ClientMsg::SyncStep1(Bytes::from(late_sv)))
        .await;
    assert!(
        updates_so_far(&mut conns[1]).await.is_empty(),
        "nothing may be delivered before its append is done"
    );
    assert!(updates_so_far(&mut conns[2]).await.is_empty());
    // The session still takes commands meanwhile: a second device of the reader joins.
    let (outbound, _second_device_frames) = outbound::channel(64);
    let (reply, joined) = oneshot::channel();
    conns[1]
        .handle
        .send(SessionCmd::Join {
            conn: 99,
            token: conns[1].token.clone(),
            link: ConnLink {
                outbound,
                closer: Arc::new(Closer::default()),
            },
            reply,
        })
        .await
        .expect("session running");
    let answer = tokio::time::timeout(Duration::from_secs(1), joined).await;
    assert!(
        matches!(answer, Ok(Ok(Ok(_)))),
        "a join is answered while a batch is in flight"
    );
    assert_eq!(
        store.appends().len(),
        before + 1,
        "one batch in flight at a time"
    );

    store.allow(1);
    let first = updates_so_far(&mut conns[1]).await;
    assert_eq!(first.len(), 1, "batch 1 delivered, batch 2 not yet");
    reader.apply(&first[0]);
    assert_eq!(reader.notes(), "first ");
    assert!(
        updates_so_far(&mut conns[2]).await.is_empty(),
        "the late joiner's step 2 belongs to batch 2"
    );
    // Batch 2 was applied while batch 1 was in flight, so it takes off as one append.
    assert_eq!(appends_asked(&store, before, 2).await, vec![1, 1]);

    store.allow(1);
    let second = updates_so_far(&mut conns[1]).await;
    assert_eq!(second.len(), 1);
    reader.apply(&second[0]);
    assert_eq!(reader.notes(), "first second");
    // The late joiner gets the whole document in its step 2, and not batch 1's update again.
    let late_frames = updates_so_far(&mut conns[2]).await;
    assert_eq!(late_frames.len(), 1, "only the step 2: {late_frames:?}");
    late.apply(&late_frames[0]);
    assert_eq!(late.notes(), "first second");
    assert_eq!(
        reader.doc.transact().state_vector(),
        typist.doc.transact().state_vector()
    );
}
