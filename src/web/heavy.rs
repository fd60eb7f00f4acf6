//! Work that takes the processor for a while (parsing pasted text and imports, checking
//! uploaded PDFs) runs here: on tokio's blocking threads, so that the request threads keep
//! answering everyone else, and at most `AT_ONCE` at a time, so that a few such requests
//! cannot take both cores from every municipality. Those that find no room wait their turn.

use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// How many heavy jobs run at once, whatever the number of requests asking.
pub const AT_ONCE: usize = 2;

static ROOM: Semaphore = Semaphore::const_new(AT_ONCE);

/// Runs `work` off the request threads once there is room for it.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _permit = ROOM.acquire().await.map_err(|err| AppError::Internal(err.into()))?;
    tokio::task::spawn_blocking(work).await.map_err(|err| AppError::Internal(err.into()))
}
