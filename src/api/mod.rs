//! The facades: each turns its vendor's wire into world calls and back.
//!
//! - `graph/`: Meta's Graph API (the migration flow and the reads around it);
//! - `cams/`: Alibaba Cloud ChatApp (`cams` 2020-06-06, RPC with signed requests);
//! - `d360/`: 360dialog (Partner API `/api/v2`, Messaging API configuration endpoints);
//! - `admin/`: the control API under `/__admin/`.
//!
//! `facade.rs` is the interface every vendor facade implements and the one list of them. What
//! a facade reads and answers ([`Incoming`], [`Answer`]) lives below, in `crate::wire`.

pub mod admin;
pub mod cams;
pub mod d360;
#[cfg(test)]
mod echo;
pub mod facade;
pub mod filter;
pub mod graph;
pub mod unmatched;

pub use crate::wire::{Answer, Incoming, json, params};
