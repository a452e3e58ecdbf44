//! Parity with the real services, from a user's own traffic: a recording proxy in front of
//! them (`proxy.rs`, `recording.rs`, `redact.rs`), the world a recording implies
//! (`from_recording.rs`), and a replay against wabasim that lists every difference a client
//! could branch on (`replay.rs`, `compare.rs`), and a recording as a scenario file (`to_scenario.rs`). Workflow: docs/parity.md.

pub mod cli;
pub mod compare;
pub mod from_recording;
pub mod proxy;
pub mod recording;
pub mod redact;
pub mod replay;
pub mod to_scenario;
