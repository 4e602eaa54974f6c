//! The generic processor-contract test ([`contract`]) and the settings it
//! runs every processor family at.

mod contract;
mod mastering;
mod space;
