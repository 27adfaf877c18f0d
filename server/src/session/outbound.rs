//! A connection's outbound queue: the frames its session (and the connection itself) hand it to
//! write, bounded by count.
//!
//! Not tokio's bounded mpsc, on purpose (bench/NOTES.md, *S2*): that channel allocates its
//! first 32-slot block (about 1 KiB) and its semaphore when created, so every idle connection
//! paid about 1.5 KiB for it, and its semaphore bookkeeping was about 5 % of the server's CPU
//! at a million deliveries per second. Here the frames live in a `VecDeque` that allocates on
//! the first frame and is given back whenever the connection has written everything, behind a
//! mutex that is held only to push or pop one frame (never across an `.await`), with the
//! connection's waker beside it.
//!
//! The semantics are those of the mpsc it replaces, so the session's delivery code stays as
//! it was: [`Sender::try_send`] reports `Full` when `capacity` frames wait (the session then
//! closes the connection with 4408; nothing is dropped silently) and `Closed` when the
//! connection is gone; the connection's [`Receiver::recv`] returns what is queued and then
//! `None` once every [`Sender`] (the session's) is dropped: the session let go of it.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use tokio::sync::mpsc::error::{TryRecvError, TrySendError};

/// A queue of at most `capacity` frames: one receiver (the connection), senders for its session.
pub fn channel(capacity: usize) -> (Sender, Receiver) {
    let shared = Arc::new(Shared {
        capacity: capacity.max(1),
        state: Mutex::new(State {
            frames: VecDeque::new(),
            senders: 1,
            receiver_alive: true,
            waker: None,
        }),
    });
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared },
    )
}

struct Shared {
    capacity: usize,
    state: Mutex<State>,
}

struct State {
    frames: VecDeque<Bytes>,
    senders: usize,
    receiver_alive: bool,
    /// The receiver's task, when it waits for a frame.
    waker: Option<Waker>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something did, the queue is still sound.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `frame` unless the queue is full or the receiver is gone (or, for the
    /// connection's own frames, every sender is gone); wakes the receiver.
    fn push(&self, frame: Bytes, needs_sender: bool) -> Result<(), TrySendError<Bytes>> {
        let mut state = self.lock();
        if !state.receiver_alive || (needs_sender && state.senders == 0) {
            return Err(TrySendError::Closed(frame));
        }
        if state.frames.len() >= self.capacity {
            return Err(TrySendError::Full(frame));
        }
        state.frames.push_back(frame);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }
}

/// The session's end of a connection's queue. The queue ends (the connection closes) when the
/// last sender is dropped.
pub struct Sender {
    shared: Arc<Shared>,
}

impl Sender {
    /// Queues a frame for the connection, as `tokio::sync::mpsc::Sender::try_send` would: `Full`
    /// when `capacity` frames wait, `Closed` when the connection is gone.
    pub fn try_send(&self, frame: Bytes) -> Result<(), TrySendError<Bytes>> {
        self.shared.push(frame, false)
    }
}

impl Clone for Sender {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.senders -= 1;
        let waker = if state.senders == 0 {
            state.waker.take()
        } else {
            None
        };
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The connection's end of its queue.
pub struct Receiver {
    shared: Arc<Shared>,
}

impl Receiver {
    /// The next frame; `None` once the queue is empty and every sender is gone. When the queue
    /// is empty its buffer is freed, so an idle connection holds none.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let mut state = self.shared.lock();
        if let Some(frame) = state.frames.pop_front() {
            return Poll::Ready(Some(frame));
        }
        if state.frames.capacity() > 0 {
            state.frames = VecDeque::new();
        }
        if state.senders == 0 {
            return Poll::Ready(None);
        }
        if !state
            .waker
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            state.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    pub async fn recv(&mut self) -> Option<Bytes> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// The next frame if one is queued (as `tokio::sync::mpsc::Receiver::try_recv`).
    pub fn try_recv(&mut self) -> Result<Bytes, TryRecvError> {
        let mut state = self.shared.lock();
        match state.frames.pop_front() {
            Some(frame) => Ok(frame),
            None if state.senders == 0 => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Queues a frame from the connection itself (a pong, an error event) behind the session's,
    /// bounded like theirs. Once the session has let go, or when the queue is full, the frame is
    /// dropped: the connection is closing, or the session is about to close it as too slow.
    pub fn push_own(&self, frame: Bytes) -> bool {
        self.shared.push(frame, true).is_ok()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.receiver_alive = false;
        // Frees the frames now rather than when the session drops its sender.
        state.frames = VecDeque::new();
        state.waker = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(n: u8) -> Bytes {
        Bytes::from(vec![n])
    }

    #[tokio::test]
    async fn bounded_by_count_and_in_order() {
        let (tx, mut rx) = channel(2);
        assert!(tx.try_send(frame(1)).is_ok());
        assert!(tx.try_send(frame(2)).is_ok());
        assert!(matches!(tx.try_send(frame(3)), Err(TrySendError::Full(f)) if f == frame(3)));
        assert!(
            !rx.push_own(frame(4)),
            "the connection's own frames are bounded too"
        );
        assert_eq!(rx.recv().await, Some(frame(1)));
        assert!(tx.try_send(frame(5)).is_ok());
        assert_eq!(rx.try_recv().unwrap(), frame(2));
        assert_eq!(rx.recv().await, Some(frame(5)));
        assert!(matches!(rx.try_recv(), Err(TryRecvError::Empty)));
    }

    #[tokio::test]
    async fn ends_when_the_last_sender_goes_after_what_is_queued() {
        let (tx, mut rx) = channel(8);
        let second = tx.clone();
        tx.try_send(frame(1)).unwrap();
        drop(tx);
        assert!(rx.push_own(frame(2)), "a sender is left");
        drop(second);
        assert!(!rx.push_own(frame(3)), "the session let go");
        assert_eq!(rx.recv().await, Some(frame(1)));
        assert_eq!(rx.recv().await, Some(frame(2)));
        assert_eq!(rx.recv().await, None);
        assert!(matches!(rx.try_recv(), Err(TryRecvError::Disconnected)));
    }

    #[tokio::test]
    async fn a_waiting_receiver_is_woken() {
        let (tx, mut rx) = channel(8);
        let waiting = tokio::spawn(async move { (rx.recv().await, rx.recv().await) });
        tokio::task::yield_now().await;
        tx.try_send(frame(1)).unwrap();
        tokio::task::yield_now().await;
        drop(tx);
        assert_eq!(waiting.await.unwrap(), (Some(frame(1)), None));
    }

    #[test]
    fn closed_when_the_receiver_is_gone() {
        let (tx, rx) = channel(8);
        drop(rx);
        assert!(matches!(
            tx.try_send(frame(1)),
            Err(TrySendError::Closed(_))
        ));
    }
}
