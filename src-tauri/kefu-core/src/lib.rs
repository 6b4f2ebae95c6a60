//! The Kefu Desk domain.
//!
//! Plain data and pure functions: nothing here reads the clock, a file or a database.
//! Every rule that depends on time takes `now` as an argument, so tests can pin it.

pub mod agenda;
pub mod demo;
pub mod error;
pub mod followups;
pub mod group;
pub mod kpi;
pub mod money;
pub mod order;
pub mod phrases;
pub mod shifts;
pub mod shop;
pub mod team;
pub mod text;
pub mod words;

pub use error::{Error, Result};
pub use group::{group_of, standing, Group, Standing};
pub use money::Fen;
pub use order::{BuyerNick, CloseReason, Order, OrderItem, OrderNo, OrderStatus};
pub use shop::{ShopKind, ShopTime};
pub use text::{AccountName, Asked, BuyerNote, FollowUpNote, Tags, TransferNote};
